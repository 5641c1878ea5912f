// The ticket side panel: loads the ticket's guidance, flags and follow-ups, ticks steps and
// checks a draft reply. Everything is rendered with textContent: no HTML from data is parsed.
'use strict';

(function () {
  const meta = (name) => {
    const element = document.querySelector(`meta[name="${name}"]`);
    return element ? element.content : null;
  };
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const state = {
    vendor: meta('ft-vendor'),
    session: meta('ft-session') || fragment.get('session'),
    ticketId: fragment.get('ticket'),
    lang: document.documentElement.lang,
    agentTz: null,
    customerTz: null,
    client: null,
    texts: JSON.parse(document.getElementById('ft-texts').textContent),
    ended: false,
  };
  if (fragment.has('session')) {
    // Keep the session out of the address bar and the browser history.
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  const $ = (id) => document.getElementById(id);
  const text = (key) => state.texts[key] || key;

  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([name, value]) => {
      if (name === 'className') node.className = value;
      else if (value !== null && value !== undefined && value !== false) {
        node.setAttribute(name, value === true ? '' : value);
      }
    });
    children.flat(Infinity).forEach((child) => {
      if (child === null || child === undefined) return;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    });
    return node;
  }

  function say(message) {
    $('status').textContent = message;
  }

  async function api(method, path, body) {
    if (state.ended) throw new Error('session ended');
    const response = await fetch(path, {
      method,
      headers: Object.assign({ Authorization: `Bearer ${state.session}` },
        body ? { 'Content-Type': 'application/json' } : {}),
      body: body ? JSON.stringify(body) : undefined,
      credentials: 'omit',
      cache: 'no-store',
    });
    const renewed = response.headers.get('X-Panel-Session');
    if (renewed) state.session = renewed;
    if (response.status === 401) {
      state.ended = true;
      say(text('session_ended'));
      throw new Error('session ended');
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
    return data;
  }

  function query() {
    const params = new URLSearchParams({ lang: state.lang });
    if (state.agentTz) params.set('agent_tz', state.agentTz);
    if (state.customerTz) params.set('customer_tz', state.customerTz);
    return params.toString();
  }

  function when(moment) {
    return `${moment.weekday} ${moment.local} (${moment.zone})`;
  }

  function renderFlags(flags) {
    const list = $('flags');
    list.replaceChildren(...flags.map((flag) => element('li', { className: `flag flag-${flag.kind}` },
      element('strong', {}, flag.explain || flag.kind),
      flag.detail ? element('span', { className: 'detail' }, flag.detail) : null)));
    if (!flags.length) list.replaceChildren(element('li', { className: 'none' }, text('no_flags')));
  }

  function renderPlaybooks(playbooks) {
    const box = $('playbooks');
    if (!playbooks.length) {
      box.replaceChildren(element('p', { className: 'none' }, text('no_playbook')));
      return;
    }
    box.replaceChildren(...playbooks.map((playbook) => {
      const steps = element('ul', { className: 'steps' }, playbook.steps.map((step) => {
        const id = `step-${playbook.id}-${step.index}`;
        const box = element('input', { type: 'checkbox', id, checked: step.done });
        box.addEventListener('change', () => tick(playbook.id, step.index, box));
        return element('li', {}, box, element('label', { for: id }, step.text));
      }));
      const caption = playbook.say_instead.length ?
        element('p', { className: 'caption' }, text('say_instead')) : null;
      const pairs = playbook.say_instead.length ? element('dl', { className: 'say-instead' },
        playbook.say_instead.map((pair) => [
          element('dt', {}, element('span', { className: 'visually-hidden' }, `${text('avoid')}: `),
            pair.avoid),
          element('dd', {}, element('span', { className: 'visually-hidden' }, `${text('say')}: `),
            pair.say)])) : null;
      return element('article', { className: 'playbook', 'data-playbook': playbook.id },
        element('h3', {}, playbook.title), steps, caption, pairs);
    }));
  }

  async function tick(playbook, step, box) {
    try {
      await api('POST', `/panel/api/tickets/${state.ticketId}/steps`,
        { playbook, step, done: box.checked });
      say(text('tick_saved'));
    } catch (error) {
      box.checked = !box.checked;
      if (!state.ended) say(text('failed'));
    }
  }

  function renderTransfers(path) {
    $('transfers-section').hidden = !path.length;
    $('transfers').replaceChildren(...path.map((group) => element('li', {}, group)));
  }

  function renderFollowups(followups) {
    const list = $('followups');
    if (!followups.length) {
      list.replaceChildren(element('li', { className: 'none' }, text('no_followups')));
      return;
    }
    list.replaceChildren(...followups.map((item) => {
      const actions = item.can_act ? element('div', { className: 'row' },
        ['run', 'cancel'].map((action) => {
          const button = element('button', { type: 'button', 'data-action': action,
            'aria-label': `${text(action === 'run' ? 'run_now' : 'cancel')}: ${item.label}` },
          text(action === 'run' ? 'run_now' : 'cancel'));
          button.addEventListener('click', () => followupAction(item.job_id, action));
          return button;
        })) : null;
      return element('li', { 'data-job': item.job_id },
        element('strong', {}, item.label), ' ', element('span', { className: 'badge' },
          item.status_label),
        element('div', {}, `${text('customer_time')}: ${when(item.customer)}`),
        element('div', { className: 'muted' }, `${text('agent_time')}: ${when(item.agent)}`),
        actions);
    }));
  }

  async function followupAction(jobId, action) {
    try {
      await api('POST', `/panel/api/tickets/${state.ticketId}/followups/` +
        `${encodeURIComponent(jobId)}/${action}`);
      say(text('action_done'));
    } catch (error) {
      if (!state.ended) say(error.message);
    }
    refresh();
  }

  function renderSurveys(surveys) {
    const list = $('surveys');
    if (!surveys.length) {
      list.replaceChildren(element('li', { className: 'none' }, text('no_surveys')));
      return;
    }
    list.replaceChildren(...surveys.map((answer) => {
      const scores = ['csat', 'nps', 'ces'].filter((k) => answer[k] !== null)
        .map((k) => `${k.toUpperCase()} ${answer[k]}`).join(' · ');
      return element('li', {}, element('strong', {}, scores),
        answer.comment ? element('q', {}, answer.comment) : null);
    }));
  }

  function relabel() {
    document.querySelectorAll('[data-text]').forEach((node) => {
      node.textContent = text(node.dataset.text);
    });
  }

  async function refresh() {
    if (!state.ticketId || state.ended) return;
    try {
      const data = await api('GET', `/panel/api/tickets/${state.ticketId}?${query()}`);
      state.texts = data.texts;
      document.documentElement.lang = data.agent_language;
      relabel();
      renderFlags(data.flags);
      renderPlaybooks(data.playbooks);
      renderTransfers(data.transfers);
      renderFollowups(data.followups);
      renderSurveys(data.surveys);
      say('');
      $('panel').setAttribute('aria-busy', 'false');
    } catch (error) {
      if (!state.ended) say(text('failed'));
    }
  }

  const pending = [];
  function refreshSoon() {
    // The helpdesk saves first and tells the plugin by webhook a moment later: look again
    // now, after 3 s and after 10 s.
    pending.splice(0).forEach(clearTimeout);
    [0, 3000, 10000].forEach((delay) => pending.push(setTimeout(refresh, delay)));
  }

  function listItems(items, render) {
    return element('ul', {}, items.map(render));
  }

  function renderCheck(result) {
    const parts = [];
    if (result.deflections.length) {
      parts.push(element('h3', {}, text('deflections')), listItems(result.deflections,
        (hit) => element('li', { className: 'hit' }, element('mark', {}, hit.phrase),
          hit.better ? element('div', {}, `${text('better')}: ${hit.better}`) : null)));
    }
    if (result.avoid.length) {
      parts.push(element('h3', {}, text('avoid_found')), listItems(result.avoid,
        (hit) => element('li', { className: 'hit' }, element('mark', {}, hit.phrase),
          element('div', {}, `${text('say')}: ${hit.say}`))));
    }
    if (result.promises.length) {
      parts.push(element('h3', {}, text('promises')), listItems(result.promises,
        (promise) => element('li', { className: 'promise' }, element('q', {}, promise.phrase),
          element('div', {}, `${text('customer_time')}: ${when(promise.customer)}`),
          element('div', { className: 'muted' }, `${text('agent_time')}: ${when(promise.agent)}`))));
    }
    if (result.missing.length) {
      parts.push(element('h3', {}, text('missing')), listItems(result.missing,
        (step) => element('li', { className: 'missing' }, step.step)));
    }
    if (!parts.length) parts.push(element('p', { className: 'ok' }, text('all_good')));
    $('check-results').replaceChildren(...parts);
  }

  async function check(event) {
    event.preventDefault();
    const draft = $('draft').value;
    if (!draft.trim()) return;
    $('check-results').replaceChildren(element('p', {}, text('checking')));
    try {
      renderCheck(await api('POST', '/api/lint', {
        ticket_id: state.ticketId, text: draft, agent_tz: state.agentTz,
        customer_tz: state.customerTz,
      }));
    } catch (error) {
      $('check-results').replaceChildren(element('p', { role: 'alert' },
        state.ended ? text('session_ended') : text('failed')));
    }
  }

  async function useDraft() {
    const data = await state.client.get('ticket.comment.text');
    // The editor may hold HTML: keep only its text.
    const html = data['ticket.comment.text'] || '';
    $('draft').value = new DOMParser().parseFromString(html, 'text/html').body.textContent;
    $('draft').focus();
  }

  async function connect() {
    if (state.vendor === 'zendesk' && window.ZAFClient) {
      const client = window.ZAFClient.init();
      state.client = client;
      client.invoke('resize', { width: '100%', height: '640px' });
      const data = await client.get(['ticket.id', 'currentUser', 'ticket.requester']);
      const user = data.currentUser || {};
      const requester = data['ticket.requester'] || {};
      state.ticketId = String(data['ticket.id']);
      state.lang = user.locale || state.lang;
      state.agentTz = (user.timeZone && user.timeZone.ianaName) || null;
      state.customerTz = (requester.timeZone && requester.timeZone.ianaName) || null;
      client.on('ticket.saved', refreshSoon);
      client.on('ticket.updated', refreshSoon);
      $('use-draft').hidden = false;
      $('use-draft').addEventListener('click', useDraft);
    } else {
      state.agentTz = Intl.DateTimeFormat().resolvedOptions().timeZone || null;
      window.addEventListener('message', (event) => {
        if (event.source === window.parent && event.data &&
            event.data.type === 'followthrough:refresh') refreshSoon();
      });
    }
  }

  document.addEventListener('DOMContentLoaded', async () => {
    $('check-form').addEventListener('submit', check);
    if (!state.session) {
      state.ended = true;
      say(text('session_ended'));
      return;
    }
    await connect();
    await refresh();
  });
}());
