// The lesson sheet saves in place: the whole form is posted in the background and the
// server's answer (the sheet again, with the refusals beside their fields and everything
// typed kept) replaces it — no reload, no jump to the top. Without scripts the form posts
// as a plain page. The tied forms of recorded marks (form="…") post as plain pages.
(function () {
  "use strict";

  function focusAfter(wrap) {
    var invalid = wrap.querySelector("[aria-invalid='true']");
    if (invalid) {
      if (invalid.tagName === "FIELDSET") {
        invalid = invalid.querySelector("input:checked") || invalid.querySelector("input");
      }
      invalid.focus();
      return;
    }
    var status = wrap.querySelector("#sheet-status");
    if (status) { status.focus(); }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-sheet")) { return; }
    if (event.submitter && event.submitter.form !== form) { return; }
    event.preventDefault();
    var button = form.querySelector(".sheet-save button");
    if (button) { button.disabled = true; }
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "HX-Request": "true" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok && response.status !== 200) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var wrap = document.getElementById("sheet-wrap");
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var fresh = holder.querySelector("#sheet-wrap");
      if (!wrap || !fresh) { throw new Error("no sheet"); }
      wrap.replaceWith(fresh);
      focusAfter(fresh);
    }).catch(function () {
      // the background save failed: the plain post shows the page's own answer
      if (button) { button.disabled = false; }
      form.submit();
    });
  });

  // Attendance by one key on a row's choices: п present, н absent, з late, д remote
  // (and the Latin p, a/n, l, r); arrows move between the choices as usual.
  var KEYS = { "п": 0, "p": 0, "н": 1, "n": 1, "a": 1, "з": 2, "l": 2, "д": 3, "r": 3 };
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement) || target.type !== "radio") { return; }
    if (!target.closest(".sheet-att") || event.ctrlKey || event.altKey || event.metaKey) { return; }
    var index = KEYS[event.key.toLowerCase()];
    if (index === undefined) { return; }
    var radios = target.closest(".choices").querySelectorAll("input[type=radio]");
    if (radios[index]) {
      event.preventDefault();
      radios[index].checked = true;
      radios[index].focus();
      radios[index].dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
})();
