{% autoescape off %}/* Voxloop web widget. No dependencies; nothing is sent until the rules say "show". */
(function () {
  "use strict";
  var C = {{ config }};
  var script = document.currentScript || document.querySelector('script[src*="/w/' + C.key + '.js"]');
  if (!script) return;
  var base = new URL(script.src, location.href).origin;
  var memory = "voxloop.widget." + C.key;
  var panel = null, busy = false;

  function seenRecently() {
    try {
      var last = Number(localStorage.getItem(memory) || 0);
      return last > 0 && Date.now() - last < C.suppressDays * 86400000;
    } catch (e) { return false; }
  }
  function remember() {
    try { localStorage.setItem(memory, String(Date.now())); } catch (e) { /* private mode */ }
  }
  function onThisPage() {
    if (!C.paths.length) return true;
    var path = location.pathname;
    return C.paths.some(function (pattern) {
      var re = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
      return new RegExp("^" + re + "$").test(path);
    });
  }
  function fromTag() {
    var attributes = {};
    try { attributes = JSON.parse(script.getAttribute("data-attributes") || "{}") || {}; } catch (e) { attributes = {}; }
    return {
      userId: script.getAttribute("data-user-id") || "",
      userHash: script.getAttribute("data-user-hash") || "",
      attributes: attributes
    };
  }
  function close() {
    if (panel) { panel.parentNode.removeChild(panel); panel = null; }
  }
  function open(frame) {
    remember();
    panel = document.createElement("div");
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", C.title);
    panel.setAttribute("data-voxloop-widget", C.key);
    var side = C.position === "bottom-left" ? "left" : "right";
    panel.style.cssText = "position:fixed;bottom:16px;" + side + ":16px;z-index:2147483000;" +
      "width:min(380px,calc(100vw - 32px));height:min(560px,calc(100vh - 32px));background:#fff;" +
      "border-radius:12px;box-shadow:0 8px 32px rgba(0,0,0,.25);overflow:hidden;display:flex;flex-direction:column";
    var bar = document.createElement("div");
    bar.style.cssText = "display:flex;align-items:center;justify-content:space-between;padding:0 8px 0 16px;" +
      "height:44px;flex:none;font:600 15px system-ui,sans-serif;background:" + C.colour + ";color:" + C.onColour;
    var label = document.createElement("span");
    label.textContent = C.title;
    var button = document.createElement("button");
    button.type = "button";
    button.setAttribute("aria-label", C.closeLabel);
    button.textContent = "\u00d7";
    button.style.cssText = "border:0;background:transparent;color:inherit;font-size:24px;line-height:1;" +
      "width:44px;height:44px;cursor:pointer";
    button.addEventListener("click", close);
    bar.appendChild(label);
    bar.appendChild(button);
    var iframe = document.createElement("iframe");
    iframe.src = base + frame;
    iframe.title = C.title;
    iframe.style.cssText = "border:0;width:100%;flex:1";
    panel.appendChild(bar);
    panel.appendChild(iframe);
    document.body.appendChild(panel);
    panel.addEventListener("keydown", function (event) { if (event.key === "Escape") close(); });
  }
  function show(options) {
    options = options || {};
    if (panel || busy) return;
    if (!options.force && seenRecently()) return;
    if (!options.force && Math.random() * 100 >= C.sample) return;
    busy = true;
    var body = new URLSearchParams();
    body.set("user_id", options.userId == null ? "" : String(options.userId));
    body.set("user_hash", options.userHash == null ? "" : String(options.userHash));
    body.set("attributes", JSON.stringify(options.attributes || {}));
    body.set("path", location.pathname);
    fetch(base + C.check, { method: "POST", body: body, credentials: "omit", mode: "cors" })
      .then(function (answer) { return answer.ok ? answer.json() : { show: false }; })
      .then(function (verdict) { if (verdict.show && verdict.frame && !panel) open(verdict.frame); })
      .catch(function () { /* the survey never breaks the page */ })
      .then(function () { busy = false; });
  }
  var api = {
    show: function (options) { show(options); },
    hide: close
  };
  var Voxloop = window.Voxloop = window.Voxloop || {};
  Voxloop.widgets = Voxloop.widgets || {};
  Voxloop.widgets[C.key] = api;
  Voxloop.show = api.show;
  Voxloop.hide = api.hide;
  if (!C.manual && onThisPage()) {
    setTimeout(function () { show(fromTag()); }, C.delay * 1000);
  }
})();
{% endautoescape %}
