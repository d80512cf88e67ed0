/* Small progressive enhancements for the public pages; everything works without them. */
(function () {
  "use strict";

  // Copy the private link to the clipboard.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.querySelector(button.getAttribute("data-copy"));
      if (!input) return;
      var done = function () {
        var original = button.textContent;
        button.textContent = button.getAttribute("data-copied") || original;
        window.setTimeout(function () { button.textContent = original; }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () { input.select(); });
      } else {
        input.select();
        try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selected */ }
      }
    });
  });

  // Keep a form from being sent twice by a double tap on a slow connection.
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        window.setTimeout(function () { button.disabled = true; button.setAttribute("aria-disabled", "true"); }, 0);
      });
    });
  });

  // A page restored from the back/forward cache gets its buttons back.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-once] button[type=submit]").forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("aria-disabled");
    });
  });

  // Move focus to the error summary so screen readers announce it after a failed submit.
  var summary = document.getElementById("form-errors");
  if (summary) summary.focus();
})();
