// The map as a PNG: the server draws the SVG; the browser paints it on a canvas and saves it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var link = document.querySelector("[data-png-from]");
    if (!link || !window.fetch) return;
    link.hidden = false;
    link.addEventListener("click", function (e) {
      e.preventDefault();
      fetch(link.dataset.pngFrom, { credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (text) {
          var image = new Image();
          image.onload = function () {
            var canvas = document.createElement("canvas");
            canvas.width = image.width * 2;
            canvas.height = image.height * 2;
            var g = canvas.getContext("2d");
            g.scale(2, 2);
            g.drawImage(image, 0, 0);
            var a = document.createElement("a");
            a.download = link.dataset.pngName;
            a.href = canvas.toDataURL("image/png");
            document.body.appendChild(a);
            a.click();
            a.remove();
          };
          image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(text);
        });
    });
  });
})();
