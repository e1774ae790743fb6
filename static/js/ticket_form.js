// Progressive enhancement only: the server refuses P1/P2 on test tenants whatever the browser
// sends. The tenant kinds come from the json_script element "tenant-kinds".
(function () {
  "use strict";
  var form = document.getElementById("ticket-form");
  var data = document.getElementById("tenant-kinds");
  if (!form || !data) { return; }
  var kinds = {};
  try { kinds = JSON.parse(data.textContent); } catch (e) { return; }
  var tenant = form.querySelector("#id_tenant"), priority = form.querySelector("#id_priority");
  if (!tenant || !priority) { return; }
  function update() {
    var isTest = kinds[tenant.value] === "test";
    Array.prototype.forEach.call(priority.options, function (opt) {
      if (opt.value === "P1" || opt.value === "P2") {
        opt.disabled = isTest;
        if (isTest && opt.selected) { priority.value = ""; }
      }
    });
  }
  tenant.addEventListener("change", update);
  update();
})();
