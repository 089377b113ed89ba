// The condition builder: field, operator and value pickers, AND/OR groups, and a live count
// of what matches. It edits a <textarea data-condition-builder="CONFIG-ID"> holding the stored
// condition tree ({"match": "all"|"any", "items": [...]}), which the server validates; without
// this file that textarea is the fallback. The config (fields, labels) comes from the page.
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function builder(area) {
    var configNode = document.getElementById(area.getAttribute("data-condition-builder"));
    if (!configNode) return;
    var config = JSON.parse(configNode.textContent);
    var fields = {};
    config.fields.forEach(function (f) { fields[f.name] = f; });
    var t = config.texts;
    var tree;
    try { tree = JSON.parse(area.value || "{}"); } catch (e) { tree = {}; }
    if (Array.isArray(tree)) tree = { match: "all", items: tree };
    if (!tree.items) tree = { match: "all", items: [] };
    var uid = 0;

    var root = el("div", { "class": "cb", "data-testid": "condition-builder" });
    var count = el("p", { "class": "cb-count", "aria-live": "polite", "data-testid": "condition-count" });
    area.hidden = true;
    area.parentNode.insertBefore(root, area.nextSibling);
    if (config.count_url) root.parentNode.insertBefore(count, root.nextSibling);

    function valueInput(field, op, value) {
      var id = "cb-v-" + (++uid);
      if (op === "answered") return null;
      if (field.input === "choice") {
        if (op === "in" || op === "not_in" || op === "contains_any_choice") {
          var box = el("span", { "class": "cb-multi", role: "group", "aria-label": t.value });
          var picked = Array.isArray(value) ? value.map(String) : [];
          field.choices.forEach(function (c, i) {
            var cid = id + "-" + i;
            var input = el("input", { type: "checkbox", id: cid, value: c[0] });
            input.checked = picked.indexOf(String(c[0])) >= 0;
            box.appendChild(input);
            box.appendChild(el("label", { "for": cid }, c[1]));
          });
          return box;
        }
        var select = el("select", { id: id, "aria-label": t.value });
        field.choices.forEach(function (c) {
          var option = el("option", { value: c[0] }, c[1]);
          if (String(c[0]) === String(value)) option.selected = true;
          select.appendChild(option);
        });
        return select;
      }
      var input = el("input", { id: id, "aria-label": t.value, autocomplete: "off" });
      if (field.input === "number") { input.type = "number"; input.inputMode = "numeric"; }
      if (field.input === "unit") input.setAttribute("data-picker", "units");
      if (field.input === "words") input.placeholder = t.words;
      input.value = Array.isArray(value) ? value.join(", ") : (value === undefined || value === null ? "" : value);
      return input;
    }

    function readValue(field, op, node) {
      if (!node) return null;
      if (node.classList && node.classList.contains("cb-multi")) {
        return Array.prototype.filter.call(node.querySelectorAll("input"), function (i) { return i.checked; })
          .map(function (i) { return field.numeric ? Number(i.value) : i.value; });
      }
      var raw = node.value;
      if (field.input === "number" || (field.numeric_ops || []).indexOf(op) >= 0) {
        return raw === "" ? null : Number(raw);
      }
      if (field.input === "words" || op === "in" || op === "not_in") {
        return raw.split(",").map(function (w) { return w.trim(); }).filter(Boolean);
      }
      if (field.input === "choice" && field.numeric) return Number(raw);
      return raw;
    }

    function conditionRow(item, parentItems) {
      var row = el("div", { "class": "cb-row", "data-testid": "condition" });
      var fieldSelect = el("select", { "aria-label": t.field });
      config.fields.forEach(function (f) {
        var option = el("option", { value: f.name }, f.label);
        if (f.name === item.field) option.selected = true;
        fieldSelect.appendChild(option);
      });
      if (!fields[item.field]) item.field = config.fields[0].name;
      var opSelect = el("select", { "aria-label": t.op });
      var holder = el("span", { "class": "cb-value" });
      var remove = el("button", { type: "button", "class": "secondary" }, t.remove);

      function fillOps() {
        var field = fields[item.field];
        opSelect.textContent = "";
        if (field.ops.indexOf(item.op) < 0) item.op = field.ops[0];
        field.ops.forEach(function (op) {
          var option = el("option", { value: op }, config.op_labels[op] || op);
          if (op === item.op) option.selected = true;
          opSelect.appendChild(option);
        });
      }
      function fillValue() {
        holder.textContent = "";
        var node = valueInput(fields[item.field], item.op, item.value);
        if (node) {
          holder.appendChild(node);
          if (window.voxloopPicker && node.getAttribute && node.getAttribute("data-picker")) window.voxloopPicker(node);
          node.addEventListener("change", sync);
          node.addEventListener("input", sync);
        }
        item.value = readValue(fields[item.field], item.op, node);
        row._value = node;
      }
      fieldSelect.addEventListener("change", function () {
        item.field = fieldSelect.value; item.value = undefined; fillOps(); fillValue(); sync();
      });
      opSelect.addEventListener("change", function () {
        item.op = opSelect.value; fillValue(); sync();
      });
      remove.addEventListener("click", function () {
        parentItems.splice(parentItems.indexOf(item), 1); render(); sync();
      });
      row._read = function () { item.value = readValue(fields[item.field], item.op, row._value); };
      fillOps();
      row.appendChild(fieldSelect); row.appendChild(opSelect); row.appendChild(holder); row.appendChild(remove);
      fillValue();
      readers.push(row._read);
      return row;
    }

    var readers = [];

    function groupBox(group, parentItems, depth) {
      var box = el("div", { "class": "cb-group", "data-testid": "condition-group" });
      var matchSelect = el("select", { "aria-label": t.match });
      [["all", t.all], ["any", t.any]].forEach(function (m) {
        var option = el("option", { value: m[0] }, m[1]);
        if ((group.match || "all") === m[0]) option.selected = true;
        matchSelect.appendChild(option);
      });
      matchSelect.addEventListener("change", function () { group.match = matchSelect.value; sync(); });
      box.appendChild(matchSelect);
      group.items.forEach(function (item) {
        box.appendChild(item.items ? groupBox(item, group.items, depth + 1) : conditionRow(item, group.items));
      });
      var actions = el("div", { "class": "cb-actions" });
      var add = el("button", { type: "button", "class": "secondary" }, t.add);
      add.addEventListener("click", function () {
        group.items.push({ field: config.fields[0].name }); render(); sync();
      });
      actions.appendChild(add);
      if (config.groups && depth < 2) {
        var addGroup = el("button", { type: "button", "class": "secondary" }, t.add_group);
        addGroup.addEventListener("click", function () {
          group.items.push({ match: "any", items: [{ field: config.fields[0].name }] }); render(); sync();
        });
        actions.appendChild(addGroup);
      }
      if (parentItems) {
        var drop = el("button", { type: "button", "class": "secondary" }, t.remove_group);
        drop.addEventListener("click", function () {
          parentItems.splice(parentItems.indexOf(group), 1); render(); sync();
        });
        actions.appendChild(drop);
      }
      box.appendChild(actions);
      return box;
    }

    function render() {
      readers = [];
      root.textContent = "";
      root.appendChild(groupBox(tree, null, 0));
    }

    var timer = null, asked = 0;
    function sync() {
      readers.forEach(function (read) { read(); });
      area.value = JSON.stringify(tree);
      if (!config.count_url) return;
      clearTimeout(timer);
      timer = setTimeout(function () {
        var ticket = ++asked;
        var url = config.count_url + (config.count_url.indexOf("?") < 0 ? "?" : "&") +
          "conditions=" + encodeURIComponent(area.value);
        fetch(url, { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (data) {
            if (ticket !== asked) return;
            count.textContent = data.text || data.error || "";
            count.classList.toggle("error", !!data.error);
          })
          .catch(function () { count.textContent = ""; });
      }, 250);
    }

    render();
    sync();
  }

  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-condition-builder]"), builder);
})();
