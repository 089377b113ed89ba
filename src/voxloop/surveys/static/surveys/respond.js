// Optional: a tap on a single-answer scale moves on. Keyboard arrows change a radio too, so
// only a pointer choice advances; without this script the Next button does the same.
(function () {
  var form = document.querySelector("form[data-auto]");
  if (!form) return;
  var tapped = 0;
  form.addEventListener("pointerdown", function () { tapped = Date.now(); });
  form.addEventListener("change", function (event) {
    if (event.target.type !== "radio" || Date.now() - tapped > 1500) return;
    var next = form.querySelector("button[value=next]");
    setTimeout(function () {
      if (form.requestSubmit) form.requestSubmit(next); else next.click();
    }, 180);
  });
})();
