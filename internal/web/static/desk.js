// The desk works without this script; it only keeps the queue live. On
// each change the server announces (Server-Sent Events), the queue is
// fetched again as the server renders it. A moderator working a form is
// never interrupted: the change waits until they leave the queue's fields.
(function () {
  'use strict';
  var live = document.getElementById('live');
  var queue = document.getElementById('queue');
  if (!live || !queue || !window.EventSource || !window.fetch) {
    return;
  }
  var shown = queue.dataset.mark;
  var pending = false;
  var busy = false;
  function editing() {
    var a = document.activeElement;
    // A focused button counts: between pressing and releasing it, a swap
    // would put a new, empty form under the pointer.
    return a && queue.contains(a) && /^(INPUT|TEXTAREA|BUTTON|SELECT)$/.test(a.tagName);
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
      if (editing()) {
        // They started typing while it loaded: later.
        pending = true;
        return;
      }
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
  queue.addEventListener('focusout', function (e) {
    if (pending && !(e.relatedTarget && queue.contains(e.relatedTarget))) {
      window.setTimeout(refresh, 0);
    }
  });
  var es = new EventSource(live.dataset.events);
  es.addEventListener('changed', function (e) {
    if (e.data !== shown) {
      shown = e.data;
      refresh();
    }
  });
  es.onopen = function () {
    live.hidden = false;
    live.textContent = 'Live';
  };
  es.onerror = function () {
    live.textContent = 'Reconnecting…';
  };
})();
