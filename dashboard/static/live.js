// Live updates: listen to the page's event stream and swap in fresh parts of the page.
// The browser's EventSource reconnects by itself and sends Last-Event-ID, so the server
// can replay what was missed or ask for a full refresh ("resync").
(function () {
  "use strict";
  var source = document.body.getAttribute("data-events");
  if (!source || !window.EventSource) { return; }
  var toast = document.getElementById("toast");
  var hideTimer = null;

  function announce(text) {
    if (!toast || !text) { return; }
    toast.textContent = text;
    toast.hidden = false;
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () { toast.hidden = true; }, 6000);
  }

  function refresh() {
    var parts = document.querySelectorAll("[data-live-src]");
    parts.forEach(function (part) {
      fetch(part.getAttribute("data-live-src"), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html !== null) {
            part.innerHTML = html;
            document.body.setAttribute("data-refreshed", String(Date.now()));
          }
        })
        .catch(function () { /* the next update or reconnect tries again */ });
    });
  }

  var stream = new EventSource(source);
  stream.addEventListener("update", function (event) {
    var data = {};
    try { data = JSON.parse(event.data); } catch (e) { /* keep the empty message */ }
    announce(data.text);
    refresh();
  });
  stream.addEventListener("resync", refresh);
})();
