// On a narrow screen the navigation folds behind a "Menu" button, so that the page starts with
// its own content. Without this script (or on a wide screen) every link stays in view.
(function () {
  "use strict";
  var header = document.getElementById("site-header");
  var button = header && header.querySelector(".nav-toggle");
  if (!button) { return; }
  var narrow = window.matchMedia("(max-width: 48rem)");
  function fold(closed) {
    header.classList.toggle("nav-folded", closed);
    button.setAttribute("aria-expanded", closed ? "false" : "true");
  }
  function follow() {
    button.hidden = !narrow.matches;
    fold(narrow.matches);
  }
  button.addEventListener("click", function () {
    fold(button.getAttribute("aria-expanded") === "true");
  });
  narrow.addEventListener("change", follow);
  follow();
})();
