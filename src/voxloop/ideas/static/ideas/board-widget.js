/* Voxloop idea board widget. On a customer's page:
 *   <script src="https://voxloop.example/static/ideas/board-widget.js" data-board="KEY" async></script>
 * puts the board's framed page (its top ideas) where the script tag is. Optional attributes:
 * data-height (pixels, default 520) and data-title (the frame's accessible name).
 * The frame shows only on the sites the board allows (frame-ancestors); voting and posting
 * open the board in a tab of its own. No cookies, no tracking, nothing loaded from elsewhere. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) { return; }
  var key = script.getAttribute("data-board") || "";
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(key)) {
    if (window.console) { window.console.warn("Voxloop ideas: data-board is missing or wrong."); }
    return;
  }
  var origin = new URL(script.src).origin;
  var frame = document.createElement("iframe");
  frame.src = origin + "/ideas/p/" + encodeURIComponent(key) + "/embed/";
  frame.title = script.getAttribute("data-title") || "Ideas";
  frame.loading = "lazy";
  frame.referrerPolicy = "strict-origin";
  frame.setAttribute("data-voxloop-ideas", key);
  var height = parseInt(script.getAttribute("data-height") || "520", 10);
  frame.style.width = "100%";
  frame.style.maxWidth = "40rem";
  frame.style.height = (height > 100 && height < 4000 ? height : 520) + "px";
  frame.style.border = "1px solid #ddd";
  frame.style.borderRadius = "8px";
  script.parentNode.insertBefore(frame, script.nextSibling);
})();
