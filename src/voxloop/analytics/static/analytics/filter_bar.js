// Picking a date means a custom range: without this the preset still selected would win.
// Without JavaScript the reader chooses "Custom range" in the list themselves.
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select[data-custom-period]")) {
    const form = select.form;
    for (const input of form.querySelectorAll('input[type="date"]')) {
      input.addEventListener("change", () => { select.value = "custom"; });
    }
  }
});
