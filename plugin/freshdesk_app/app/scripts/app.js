/*
 * Followthrough ticket sidebar for Freshdesk (platform 3.0).
 *
 * On app.activated it asks the plugin for a panel session through the `openPanel` request
 * template (config/requests.json: the secure app secret travels in a header that only the
 * Freshworks proxy fills in) and shows the panel the plugin answers with in an iframe. When the
 * ticket changes it tells the panel to reload its data with postMessage.
 *
 * Sources (developers.freshworks.com/docs/app-sdk/v3.0/support_ticket/front-end-apps/…):
 * app-lifecycle-methods (app.initialized, app.activated); data-method (client.data.get('ticket')
 * and ('loggedInUser'), whose contact.language is the agent's language); events-method (click
 * events ticket.sendReply, ticket.addNote, ticket.propertiesUpdated, also used in
 * freshworks-developers/events-method-samples app/scripts/lib/compliance-events.js);
 * request-method (client.request.invokeTemplate(name, {body}) and JSON.parse(result.response),
 * see freshworks-developers/freshworks-platform3 references/fdk/request_method.md);
 * instance-method (client.instance.resize, as in freshworks-developers/events-method-samples
 * app/scripts/ticket-sidebar.js).
 */
(function () {
  'use strict';

  var LANGUAGES = ['tr', 'az', 'en'];
  var TEXT = {
    tr: {
      loading: 'Panel açılıyor…',
      failed: 'Followthrough paneli açılamadı. Sayfayı yenileyin; sorun sürerse yöneticinize haber verin.'
    },
    az: {
      loading: 'Panel yüklənir…',
      failed: 'Followthrough paneli açılmadı. Səhifəni yeniləyin; problem davam edərsə, administratora xəbər verin.'
    },
    en: {
      loading: 'Opening the panel…',
      failed: 'The Followthrough panel could not be opened. Reload the page; if it keeps failing, tell your admin.'
    }
  };
  // Reply and note events fire on the button click; give the helpdesk a moment to save the
  // conversation before the panel reads the ticket again.
  var AFTER_SEND_MS = 2000;

  var client = null;
  var panelOrigin = null;
  var language = 'en';
  var status = document.getElementById('status');
  var frame = document.getElementById('panel');

  function say(key, isError) {
    status.textContent = TEXT[language][key];
    status.className = isError ? 'error' : '';
    status.hidden = false;
  }

  function agentLanguage(user) {
    var code = String((user.contact && user.contact.language) || '').toLowerCase().split(/[-_]/)[0];
    return LANGUAGES.indexOf(code) >= 0 ? code : 'en';
  }

  async function openPanel() {
    try {
      var found = await Promise.all([
        client.data.get('ticket'),
        client.data.get('loggedInUser'),
        client.iparams.get()
      ]);
      var ticket = found[0].ticket;
      var user = found[1].loggedInUser;
      language = agentLanguage(user);
      panelOrigin = 'https://' + String(found[2].plugin_host).toLowerCase();
      say('loading', false);
      var result = await client.request.invokeTemplate('openPanel', {
        body: JSON.stringify({ ticket_id: String(ticket.id), agent_id: String(user.id), locale: language })
      });
      var url = new URL(JSON.parse(result.response).panel_url);
      if (url.origin !== panelOrigin) {
        throw new Error('panel_url is not on the plugin host');
      }
      frame.src = url.href;
      frame.hidden = false;
      status.hidden = true;
    } catch (error) {
      frame.hidden = true;
      say('failed', true);
      console.error('followthrough: opening the panel failed', error);
    }
  }

  function refreshPanel() {
    if (panelOrigin && !frame.hidden) {
      frame.contentWindow.postMessage({ type: 'followthrough:refresh' }, panelOrigin);
    }
  }

  function refreshLater() {
    setTimeout(refreshPanel, AFTER_SEND_MS);
  }

  app.initialized().then(function (initialized) {
    client = initialized;
    client.instance.resize({ height: '600px' });
    client.events.on('app.activated', openPanel);
    client.events.on('ticket.propertiesUpdated', refreshPanel);
    client.events.on('ticket.sendReply', refreshLater);
    client.events.on('ticket.addNote', refreshLater);
  });
})();
