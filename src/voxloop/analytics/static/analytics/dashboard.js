// Live dashboard: poll a tiny JSON stamp every few seconds; when it changes (a response
// arrived), fetch the server-rendered figures and swap them in. The server escapes all text.
(function () {
  "use strict";
  var POLL_MS = 3000;
  function start() {
    var live = document.getElementById("live");
    if (!live || !window.fetch) { return; }
    var stamp = null;
    function refresh() {
      fetch(live.dataset.fragmentUrl, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          live.innerHTML = html;
          live.dispatchEvent(new CustomEvent("voxloop:refreshed", { bubbles: true }));
        });
    }
    function poll() {
      if (document.hidden) { return; }
      fetch(live.dataset.liveUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (!body) { return; }
          if (stamp !== null && body.stamp !== stamp) { refresh(); }
          stamp = body.stamp;
        })
        .catch(function () { /* offline for a moment: try again next tick */ });
    }
    poll();
    window.setInterval(poll, POLL_MS);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else { start(); }
})();
