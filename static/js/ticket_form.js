// Progressive enhancement only: the server refuses P1/P2 on test tenants whatever the browser
// sends. The tenant kinds come from the json_script element "tenant-kinds", the rule and its
// words from "priority-rule".
//
// A production-only priority is greyed out for a test tenant. If the person already chose one
// and then picks a test tenant, their choice stays as it is and the page says at once why it
// cannot be filed so: a priority is never changed behind their back.
(function () {
  "use strict";
  var form = document.getElementById("ticket-form");
  var kindsData = document.getElementById("tenant-kinds");
  var ruleData = document.getElementById("priority-rule");
  if (!form || !kindsData || !ruleData) { return; }
  var kinds, rule;
  try {
    kinds = JSON.parse(kindsData.textContent);
    rule = JSON.parse(ruleData.textContent);
  } catch (e) { return; }
  var tenant = form.querySelector("#id_tenant"), priority = form.querySelector("#id_priority");
  if (!tenant || !priority) { return; }

  var notice = document.createElement("p");
  notice.className = "notice";
  notice.id = "id_priority_notice";
  notice.setAttribute("role", "alert");
  notice.hidden = true;
  priority.insertAdjacentElement("afterend", notice);
  var describedBy = (priority.getAttribute("aria-describedby") || "").trim();
  priority.setAttribute("aria-describedby", (describedBy + " " + notice.id).trim());

  function restricted(value) { return rule.restricted.indexOf(value) !== -1; }

  function update() {
    var isTest = kinds[tenant.value] === "test";
    var chosen = priority.value;
    var conflict = isTest && restricted(chosen);
    Array.prototype.forEach.call(priority.options, function (opt) {
      // The option the person chose stays selectable, so that what they see is what is sent.
      if (restricted(opt.value)) { opt.disabled = isTest && opt.value !== chosen; }
    });
    if (conflict) {
      var name = tenant.options[tenant.selectedIndex].text.replace(/\s*\(.*\)$/, "");
      notice.textContent = rule.refusal.replace("{priority}", chosen).replace("{tenant}", name);
      notice.hidden = false;
      priority.setAttribute("aria-invalid", "true");
    } else {
      notice.hidden = true;
      notice.textContent = "";
      priority.removeAttribute("aria-invalid");
    }
  }
  tenant.addEventListener("change", update);
  priority.addEventListener("change", update);
  update();
})();
