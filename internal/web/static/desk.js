// The desk works without this script; it only keeps the queue live. On
// each change the server announces (Server-Sent Events), the queue is
// fetched again as the server renders it. A moderator typing an answer is
// never interrupted: the change waits until they leave the field.
(function () {
  'use strict';
  var live = document.getElementById('live');
  var queue = document.getElementById('queue');
  if (!live || !queue || !window.EventSource || !window.fetch) {
    return;
  }
  var pending = false;
  var busy = false;
  function editing() {
    var a = document.activeElement;
    return a && queue.contains(a) && (a.tagName === 'INPUT' || a.tagName === 'TEXTAREA') && a.value !== '';
  }
  function refresh() {
    if (busy || editing()) {
      pending = true;
      return;
    }
    busy = true;
    pending = false;
    fetch(live.dataset.queue, {credentials: 'same-origin'}).then(function (r) {
      if (!r.ok) {
        throw new Error('queue ' + r.status);
      }
      return r.text();
    }).then(function (html) {
      queue.innerHTML = html;
      live.textContent = 'Live';
    }).catch(function () {
      live.textContent = 'Live updates paused — reload the page';
    }).finally(function () {
      busy = false;
      if (pending) {
        refresh();
      }
    });
  }
  queue.addEventListener('focusout', function () {
    if (pending) {
      window.setTimeout(refresh, 0);
    }
  });
  var es = new EventSource(live.dataset.events);
  es.addEventListener('changed', refresh);
  es.onopen = function () {
    live.hidden = false;
    live.textContent = 'Live';
  };
  es.onerror = function () {
    live.textContent = 'Reconnecting…';
  };
})();
