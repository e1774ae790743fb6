// Names for the Django admin's form controls that have no label of their own, so that a screen
// reader says what each one is: the cells of tabular inlines (named by their column and row),
// the date and time halves of a date-time field, and the filter boxes' search icons (an
// aria-label needs a role to be read).
(function () {
  "use strict";
  function named(el) {
    if (el.getAttribute("aria-label") || el.getAttribute("aria-labelledby")) { return true; }
    return Array.prototype.some.call(el.labels || [], function (l) { return l.textContent.trim(); });
  }
  function name(el, text) {
    if (!named(el) && text) { el.setAttribute("aria-label", text.replace(/\s+/g, " ").trim()); }
  }
  function columns(table) {
    var heads = {};
    Array.prototype.forEach.call(table.querySelectorAll("thead th"), function (th) {
      var match = /(?:^|\s)column-(\S+)/.exec(th.className);
      if (match) { heads[match[1]] = th.firstChild ? th.firstChild.textContent : th.textContent; }
    });
    return heads;
  }
  function inlines() {
    Array.prototype.forEach.call(document.querySelectorAll(".inline-group .tabular table"), function (table) {
      var heads = columns(table);
      var rows = table.querySelectorAll("tbody tr.form-row");
      Array.prototype.forEach.call(rows, function (row, index) {
        var where = " (row " + (index + 1) + ")";
        Array.prototype.forEach.call(row.querySelectorAll("td"), function (cell) {
          var match = /(?:^|\s)field-(\S+)/.exec(cell.className);
          var text = match ? heads[match[1]] : (cell.classList.contains("delete") ? "Delete" : "");
          Array.prototype.forEach.call(cell.querySelectorAll("input:not([type=hidden]), select, textarea"), function (el) {
            name(el, text + where);
          });
        });
      });
    });
  }
  function dateTimes() {
    // A split date-time's halves sit in separate paragraphs (the browser closes Django's outer
    // one), so each half is named from its field's label.
    Array.prototype.forEach.call(document.querySelectorAll("input.vDateField, input.vTimeField"), function (el) {
      var row = el.closest(".form-row, .fieldBox");
      var label = row && row.querySelector("label");
      var field = label ? label.textContent.replace(/:\s*$/, "").trim() : "";
      name(el, field + (el.classList.contains("vTimeField") ? " (time)" : " (date)"));
    });
  }
  function icons() {
    Array.prototype.forEach.call(document.querySelectorAll(".help-tooltip[aria-label]:not(img)"), function (el) {
      el.setAttribute("role", "img");
    });
  }
  function run() { inlines(); dateTimes(); icons(); }
  document.addEventListener("DOMContentLoaded", run);
  window.addEventListener("load", run);
})();
