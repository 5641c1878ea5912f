// The sandbox agent view's half of the ZAF stand-in: loads the side panel with a signed POST,
// answers the panel's client.get / client.invoke and tells it when the ticket was saved.
'use strict';

(function () {
  const data = document.body.dataset;
  const frame = document.getElementById('panel-frame');
  const values = () => ({
    'ticket.id': Number(data.ticket),
    'ticket.comment.text': document.getElementById('reply').value,
    currentUser: { id: Number(data.agentId), name: data.agentName, locale: data.lang,
      role: 'agent', timeZone: { ianaName: data.agentTz } },
    'ticket.requester': { id: Number(data.requester), timeZone: { ianaName: data.customerTz } },
  });

  function emit(name, payload) {
    frame.contentWindow.postMessage({ zaf: 'event', name, data: payload || {} }, '*');
  }

  window.addEventListener('message', (event) => {
    if (event.source !== frame.contentWindow || !event.data || !event.data.zaf) return;
    const message = event.data;
    let reply = {};
    if (message.zaf === 'get') {
      const all = values();
      message.args.forEach((path) => { reply[path] = all[path]; });
    } else if (message.zaf === 'invoke' && message.args[0] === 'resize') {
      reply = { resize: true };
    }
    frame.contentWindow.postMessage({ zaf: 'reply', id: message.id, data: reply }, '*');
  });

  document.getElementById('send').addEventListener('click', async () => {
    const reply = document.getElementById('reply');
    const response = await fetch(`/agent/tickets/${data.ticket}/reply`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: reply.value, agent: data.agent }),
    });
    if (response.ok) {
      reply.value = '';
      emit('ticket.saved');
    }
  });

  // Tests and demos can fire ZAF events by hand: window.sandboxAgent.emit('ticket.updated').
  window.sandboxAgent = { emit };
  document.getElementById('signed-load').submit();
}());
