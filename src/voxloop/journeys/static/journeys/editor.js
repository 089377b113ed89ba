// Drag to reorder stages and touchpoints in the journey editor. Without JavaScript the up and
// down buttons do the same; with it, a drop posts the new order (ids) and reloads the page.
(function () {
  "use strict";
  function token() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function post(url, body) {
    var data = new URLSearchParams(body);
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token(), "Content-Type": "application/x-www-form-urlencoded" },
      body: data.toString()
    });
  }
  function sortable(list, itemSelector, extra) {
    var dragged = null;
    list.addEventListener("dragstart", function (e) {
      var item = e.target.closest(itemSelector);
      if (!item || item.parentNode !== list) return;
      e.stopPropagation();
      dragged = item;
      item.classList.add("dragging");
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", item.dataset.id);
    });
    list.addEventListener("dragover", function (e) {
      if (!dragged) return;
      e.preventDefault();
      var over = e.target.closest(itemSelector);
      if (!over || over === dragged || over.parentNode !== list) return;
      var box = over.getBoundingClientRect();
      var after = e.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? over.nextSibling : over);
    });
    list.addEventListener("dragend", function (e) {
      if (!dragged) return;
      e.stopPropagation();
      dragged.classList.remove("dragging");
      dragged = null;
      var ids = Array.prototype.map.call(
        list.querySelectorAll(":scope > " + itemSelector), function (li) { return li.dataset.id; });
      var body = Object.assign({ order: ids.join(",") }, extra || {});
      post(list.dataset.reorderUrl, body).then(function () { window.location.reload(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var stages = document.querySelector(".editor-stages");
    if (stages) sortable(stages, ".editor-stage");
    document.querySelectorAll(".editor-touchpoints").forEach(function (list) {
      sortable(list, ".editor-touchpoint", { action: "reorder" });
    });
  });
})();
