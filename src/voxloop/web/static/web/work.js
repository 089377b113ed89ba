// Progressive enhancement only: without this file every field takes a typed code or name.
// Search-as-you-type pickers: <input data-picker="units|people"> lists matches as you type
// (names, not codes) and fills the input with the picked code or username. With
// data-picker-multiple the input holds a comma-separated list: the search is on the name being
// typed after the last comma, and a pick replaces that name and leaves room for the next.
(function () {
  "use strict";
  var SOURCES = { units: "/pick/units/", people: "/pick/people/" };

  function picker(input) {
    var url = SOURCES[input.getAttribute("data-picker")];
    if (!url) return;
    input.removeAttribute("list");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    var list = document.createElement("ul");
    list.className = "picker-list";
    list.id = input.id + "-options";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    input.parentNode.classList.add("picker");
    input.parentNode.appendChild(list);
    var timer = null, active = -1, items = [], asked = "";
    var multiple = input.hasAttribute("data-picker-multiple");

    function typed() {
      var value = input.value;
      return (multiple ? value.slice(value.lastIndexOf(",") + 1) : value).trim();
    }

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
    }
    function choose(index) {
      var item = items[index];
      if (!item) return;
      if (multiple) {
        var before = input.value.slice(0, input.value.lastIndexOf(",") + 1);
        input.value = (before ? before + " " : "") + item.value + ", ";
        input.focus();
      } else {
        input.value = item.value;
      }
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function mark(index) {
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.setAttribute("aria-selected", String(i === index));
      });
      active = index;
    }
    function show(found) {
      items = found;
      list.textContent = "";
      found.forEach(function (item, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.id = list.id + "-" + i;
        li.textContent = item.label + " ";
        var detail = document.createElement("span");
        detail.className = "muted";
        detail.textContent = item.detail;
        li.appendChild(detail);
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(i);
        });
        list.appendChild(li);
      });
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", String(found.length > 0));
    }
    function search() {
      var term = typed();
      if (!term || term === asked) return;
      asked = term;
      fetch(url + "?q=" + encodeURIComponent(term), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (data) { if (term === typed()) show(data.items || []); })
        .catch(function () { show([]); });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      asked = "";
      timer = setTimeout(search, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown") { mark(Math.min(active + 1, items.length - 1)); event.preventDefault(); }
      else if (event.key === "ArrowUp") { mark(Math.max(active - 1, 0)); event.preventDefault(); }
      else if (event.key === "Enter" && active >= 0) { choose(active); event.preventDefault(); }
      else if (event.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  window.voxloopPicker = picker;
  Array.prototype.forEach.call(document.querySelectorAll("input[data-picker]"), picker);
})();
