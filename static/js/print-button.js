// A button marked data-print prints the page (or saves it as PDF): a
// listener here, not an onclick attribute, which the CSP refuses.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
