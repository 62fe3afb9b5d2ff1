// The rule form without a click on "Update the choices": when a row's name or the rule's
// list changes, the form is sent to be drawn again with the inputs that fit. Without
// JavaScript the button does the same.
(function () {
  "use strict";
  var form = document.getElementById("rule-form");
  if (!form) return;
  var button = form.querySelector("[data-redraw-button]");
  if (!button) return;
  button.hidden = true;
  form.querySelectorAll("select[data-redraw]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (form.requestSubmit) form.requestSubmit(button);
      else button.click();
    });
  });
})();
