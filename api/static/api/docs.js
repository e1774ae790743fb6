// Starts Swagger UI on the portal's OpenAPI schema. A file rather than an inline script, so the
// Content-Security-Policy needs no exception.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-schema-url"),
    dom_id: "#swagger-ui",
    // No deep links: Swagger UI puts each one, a link, inside the operation's toggle button,
    // and a control inside a control is announced badly by screen readers.
    deepLinking: false,
    persistAuthorization: false,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "BaseLayout",
    validatorUrl: null,
  });
  // Code examples scroll sideways; a keyboard can reach them only if they take focus.
  new MutationObserver(function () {
    Array.prototype.forEach.call(document.querySelectorAll("pre.microlight:not([tabindex])"), function (pre) {
      pre.setAttribute("tabindex", "0");
    });
  }).observe(root, { childList: true, subtree: true });
})();
