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
    var offline = window.ZhurnalOffline;
    if (offline && offline.offline()) { queueSheet(form); return; }
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
    }).catch(function (error) {
      if (button) { button.disabled = false; }
      // no connection: the marks and the register wait on this device (offline.js)
      if (offline && offline.networkError(error)) { queueSheet(form); return; }
      // the background save failed: the plain post shows the page's own answer
      form.submit();
    });
  });

  // --- without a connection (offline.js keeps the entries and sends them later) -----------

  function normal(text) { return String(text || "").split(/\s+/).filter(Boolean).join(" "); }

  function latestQueued(list, lesson, student, what) {
    var found = null;
    list.forEach(function (entry) {
      if (entry.state === "queued" && String(entry.lesson) === lesson &&
          String(entry.student) === student && entry.what === what) { found = entry; }
    });
    return found;
  }

  function choiceLabel(radio) {
    var label = radio && radio.closest("label");
    return label ? label.textContent.trim() : "";
  }

  // The sheet's changes as entries: a changed attendance and a typed mark per student, each
  // with what the page showed before (the server's values, data-att and data-marks).
  function queueSheet(form) {
    var offline = window.ZhurnalOffline;
    var lesson = form.getAttribute("data-lesson");
    return offline.entries().then(function (list) {
      var made = [];
      var typed = [];
      form.querySelectorAll("li.sheet-row[data-student]").forEach(function (row) {
        var pk = row.getAttribute("data-student");
        var name = row.getAttribute("data-name");
        var checked = form.querySelector("input[name='status_" + pk + "']:checked");
        var status = checked ? checked.value : "";
        var late = form.elements["late_" + pk];
        var queued = latestQueued(list, lesson, pk, "attendance");
        var before = queued ? (queued.status || "") : row.getAttribute("data-att");
        if (status !== before) {
          made.push(offline.entry({
            lesson: Number(lesson), student: Number(pk), what: "attendance",
            status: status || null,
            late_minutes: status === "late" && late && late.value ? Number(late.value) : null,
            base: row.getAttribute("data-att") || "", label: name, shown: choiceLabel(checked)
          }));
        }
        var value = form.elements["value_" + pk];
        var comment = form.elements["comment_" + pk];
        var kind = form.elements["kind_" + pk];
        var v = value ? value.value.trim() : "";
        var c = comment ? comment.value.trim() : "";
        if (v || c) {
          made.push(offline.entry({
            lesson: Number(lesson), student: Number(pk), what: "mark",
            value: v, kind: kind ? kind.value : "current", comment: c,
            base: normal(row.getAttribute("data-marks")), label: name, shown: v || c
          }));
          typed.push(value, comment);
        }
      });
      if (!made.length) { return offline.refresh(); }
      return offline.queue(made).then(function () {
        typed.forEach(function (field) { if (field) { field.value = ""; } });
        var status = document.getElementById("sheet-status");
        if (status) { status.focus(); }
      });
    });
  }

  // The entries still on this device, beside their rows: reloading the page without a
  // connection shows the stored page with them applied again.
  document.addEventListener("zhurnal:offline-changed", function (event) {
    var form = document.querySelector("form[data-sheet]");
    var T = window.ZhurnalOffline ? window.ZhurnalOffline.T : {};
    if (!form) { return; }
    var lesson = form.getAttribute("data-lesson");
    form.querySelectorAll(".offline-badge").forEach(function (node) { node.remove(); });
    event.detail.entries.forEach(function (entry) {
      if (String(entry.lesson) !== lesson) { return; }
      var row = form.querySelector("li.sheet-row[data-student='" + entry.student + "']");
      if (!row) { return; }
      if (entry.what === "attendance" && entry.state === "queued") {
        var radio = form.querySelector(
          "input[name='status_" + entry.student + "'][value='" + (entry.status || "") + "']");
        if (radio) { radio.checked = true; }
        var late = form.elements["late_" + entry.student];
        if (late && entry.late_minutes) { late.value = entry.late_minutes; }
      }
      var badge = document.createElement("p");
      badge.className = "offline-badge " + entry.state;
      var words = entry.state === "queued" ? T.unsent :
        (entry.state === "conflict" ? T.conflict : T.refused) + " " + (entry.message || "");
      badge.textContent = (entry.shown || "—") + " · " + words;
      var place = row.querySelector(entry.what === "attendance" ? ".sheet-att" : ".sheet-mark");
      (place || row).appendChild(badge);
    });
  });

  // Sent: the sheet is fetched again to show the entries as recorded — unless something is
  // being typed in it.
  document.addEventListener("zhurnal:offline-synced", function (event) {
    var form = document.querySelector("form[data-sheet]");
    if (!form || !event.detail.applied) { return; }
    if (event.detail.lessons.indexOf(form.getAttribute("data-lesson")) === -1) { return; }
    var busy = Array.prototype.some.call(
      form.querySelectorAll("input[name^='value_'], input[name^='comment_'], textarea[name^='remark_text_']"),
      function (field) { return field.value.trim() !== ""; });
    if (busy) { return; }
    fetch(location.href, { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.text() : "";
    }).then(function (html) {
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var fresh = holder.querySelector("#sheet-wrap");
      var wrap = document.getElementById("sheet-wrap");
      if (fresh && wrap) {
        wrap.replaceWith(fresh);
        if (window.ZhurnalOffline) { window.ZhurnalOffline.refresh(); }
      }
    }).catch(function () { return undefined; });
  });
  if (window.ZhurnalOffline) { window.ZhurnalOffline.refresh(); }

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
