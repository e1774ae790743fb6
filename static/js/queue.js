// Re-read the queue page (same URL, so the same filters, sort and page) every minute and when the
// tab regains focus, and swap in the fresh table and navigation counts. Skipped while the tab is
// hidden or the filter form is being edited, so nothing the engineer is typing is lost. The
// interval comes from the form's data-refresh-seconds.
(function () {
  "use strict";
  var form = document.getElementById("queue-filters");
  if (!form) { return; }
  var every = (parseInt(form.dataset.refreshSeconds, 10) || 60) * 1000;
  var minGap = 10000, last = Date.now(), busy = false;
  function swap(doc, id) {
    var fresh = doc.getElementById(id), old = document.getElementById(id);
    if (fresh && old) { old.replaceWith(fresh); }
  }
  function refresh() {
    if (busy || document.hidden || form.contains(document.activeElement)) { return; }
    busy = true;
    fetch(window.location.href, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) {
        if (!response.ok || response.redirected) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        swap(doc, "queue-results");
        swap(doc, "queue-nav-counts");
        last = Date.now();
      })
      .catch(function () {
        var status = document.querySelector("#queue-results .queue-status");
        if (status) { status.textContent = "Could not refresh the queue; reload the page to try again."; }
      })
      .finally(function () { busy = false; });
  }
  setInterval(refresh, every);
  function onReturn() { if (!document.hidden && Date.now() - last > minGap) { refresh(); } }
  window.addEventListener("focus", onReturn);
  document.addEventListener("visibilitychange", onReturn);
})();

// The filter panel fills a phone's screen: fold it there, unless a filter needs correcting.
(function () {
  "use strict";
  var panel = document.getElementById("filter-panel");
  if (panel && !panel.hasAttribute("data-keep-open") && window.matchMedia("(max-width: 40rem)").matches) {
    panel.open = false;
  }
})();
