// Progressive enhancement: show only the settings that fit the chosen question type.
// Without JavaScript every fieldset stays visible and the form works the same.
(function () {
  var type = document.querySelector('select[name="type"]');
  if (!type) return;
  var sets = document.querySelectorAll('fieldset[data-for]');
  function update() {
    sets.forEach(function (set) {
      set.hidden = set.getAttribute('data-for').split(' ').indexOf(type.value) < 0;
    });
  }
  type.addEventListener('change', update);
  update();
})();
