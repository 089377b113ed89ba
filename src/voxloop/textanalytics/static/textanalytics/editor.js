// The theme editor's live preview: as an admin types a keyword or example, the recent
// comments the theme would then match appear under the form (the "Preview matches" button
// does the same without JavaScript).
(function () {
  "use strict";
  function preview(form) {
    var target = document.getElementById(form.dataset.target);
    var data = new FormData(form);
    var params = new URLSearchParams();
    ["language", "kind", "text"].forEach(function (name) { params.set(name, data.get(name) || ""); });
    params.set("fragment", "1");
    fetch(form.dataset.matches + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.text() : ""; })
      .then(function (html) { target.innerHTML = html; })
      .catch(function () { target.textContent = ""; });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.add-term").forEach(function (form) {
      var timer = null;
      form.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { preview(form); }, 400);
      });
    });
  });
})();
