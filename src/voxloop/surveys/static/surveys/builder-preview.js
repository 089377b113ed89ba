// The preview's form goes nowhere: answers in a preview are never sent.
(function () {
  document.querySelectorAll("form[data-preview]").forEach(function (form) {
    form.addEventListener("submit", function (event) { event.preventDefault(); });
  });
})();
