// Behaviour every signed-in page shares. Progressive enhancement only: without this script
// every link stays in view and wide tables still scroll.
(function () {
  "use strict";

  // On a narrow screen the navigation folds behind a "Menu" button, so that the page starts
  // with its own content.
  var header = document.getElementById("site-header");
  var button = header && header.querySelector(".nav-toggle");
  var narrow = window.matchMedia("(max-width: 48rem)");
  if (button) {
    var fold = function (closed) {
      header.classList.toggle("nav-folded", closed);
      button.setAttribute("aria-expanded", closed ? "false" : "true");
    };
    var follow = function () {
      button.hidden = !narrow.matches;
      fold(narrow.matches);
    };
    button.addEventListener("click", function () {
      fold(button.getAttribute("aria-expanded") === "true");
    });
    narrow.addEventListener("change", follow);
    follow();
  }

  // A table wider than a phone scrolls inside its own box; keyboard users reach that box with
  // Tab and scroll it with the arrow keys. Tables that stack their cells on a phone need none.
  Array.prototype.forEach.call(document.querySelectorAll("table.table:not(.stack-on-phone)"), function (table) {
    if (!table.parentElement.matches(".table-scroll, .table-container")) {
      var box = document.createElement("div");
      box.className = "table-scroll";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    }
  });
  var boxes = ".table-scroll, .table-container, table.table";
  function focusableWhenScrolling() {
    Array.prototype.forEach.call(document.querySelectorAll(boxes), function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1 &&
        getComputedStyle(box).overflowX !== "visible";
      var inner = box.closest(".table-scroll, .table-container");
      if (scrolls && !(inner && inner !== box && inner.hasAttribute("tabindex"))) {
        box.setAttribute("tabindex", "0");
      } else if (box.getAttribute("tabindex") === "0" && !scrolls) {
        box.removeAttribute("tabindex");
      }
    });
  }
  focusableWhenScrolling();
  window.addEventListener("resize", focusableWhenScrolling);
})();
