// A stand-in for Zendesk's ZAF client SDK, for the sandbox: the same calls the side panel uses
// (init, get, on, invoke), answered by the sandbox agent view through postMessage.
'use strict';

(function () {
  let sequence = 0;
  const waiting = new Map();
  const handlers = {};

  window.addEventListener('message', (event) => {
    if (event.source !== window.parent || !event.data) return;
    const message = event.data;
    if (message.zaf === 'reply' && waiting.has(message.id)) {
      waiting.get(message.id)(message.data);
      waiting.delete(message.id);
    } else if (message.zaf === 'event') {
      (handlers[message.name] || []).forEach((handler) => handler(message.data));
    }
  });

  function ask(zaf, args) {
    return new Promise((resolve) => {
      sequence += 1;
      waiting.set(sequence, resolve);
      window.parent.postMessage({ zaf, id: sequence, args }, '*');
    });
  }

  window.ZAFClient = {
    init() {
      return {
        get: (paths) => ask('get', Array.isArray(paths) ? paths : [paths]),
        invoke: (name, ...args) => ask('invoke', [name, ...args]),
        on: (name, handler) => { (handlers[name] = handlers[name] || []).push(handler); },
      };
    },
  };
}());
