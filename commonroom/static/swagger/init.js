// Starts the vendored Swagger UI for /api/v1/docs. Kept in a file (no inline script) so the page
// runs under the site's Content-Security-Policy (script-src 'self'). Settings come from data-
// attributes on #swagger-ui; the CSRF token lets "Try it out" make unsafe requests with the session.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  var csrfToken = root.dataset.csrfToken || "";
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    presets: [window.SwaggerUIBundle.presets.apis],
    // No call-out to the public validator: this page must work offline and under the CSP.
    validatorUrl: null,
    requestInterceptor: function (request) {
      if (csrfToken) {
        request.headers["X-CSRFToken"] = csrfToken;
      }
      return request;
    },
  });
})();
