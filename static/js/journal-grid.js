/* Keyboard entry in the journal grid (progressive enhancement: without this script the
   page works through the lesson pages and the per-column forms).

   Every editable cell (td[data-v]) gets a text input. Arrow keys move between cells,
   Tab / Shift+Tab move along the row, Enter saves and goes down to the next student,
   Escape restores the saved value. The server answers JSON {ok, value, message, pending,
   need_reason, need_request}; a refused value stays in the cell, marked invalid, with
   the message beside it. All texts come translated from the page (#grid-strings). */
(function () {
  "use strict";

  var table = document.querySelector("table.jgrid[data-cell-url]");
  if (!table) { return; }
  var stringsNode = document.getElementById("grid-strings");
  var T = stringsNode ? JSON.parse(stringsNode.textContent) : {};
  var tokenNode = document.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = tokenNode ? tokenNode.value : "";
  var url = table.getAttribute("data-cell-url");
  var termId = table.getAttribute("data-term");
  var headers = table.tHead.rows[0].cells;
  var counter = 0;

  function columnOf(td) { return headers[td.cellIndex]; }
  function inputOf(td) { return td ? td.querySelector("input.cell-input") : null; }

  function setup() {
    var cells = table.querySelectorAll("tbody td[data-v]");
    for (var i = 0; i < cells.length; i++) {
      var td = cells[i];
      var row = td.parentNode;
      var head = columnOf(td);
      var input = document.createElement("input");
      input.type = "text";
      input.className = "cell-input";
      input.value = td.getAttribute("data-v");
      input.autocomplete = "off";
      input.spellcheck = false;
      input.setAttribute("autocapitalize", "off");
      input.setAttribute("enterkeyhint", "next");
      input.maxLength = 16;
      var name = row.cells[0].textContent.replace(/^\s*\d+\.\s*/, "").trim();
      input.setAttribute("aria-label", [name, head.getAttribute("data-label"), T.subject].join(", "));
      var shown = td.querySelector(".v");
      if (shown) { td.replaceChild(input, shown); } else { td.insertBefore(input, td.firstChild); }
    }
    table.classList.add("js-grid");
  }

  // --- moving around ------------------------------------------------------------------

  function nextInRow(td, step) {
    var cell = td;
    while (cell) {
      cell = step > 0 ? cell.nextElementSibling : cell.previousElementSibling;
      if (inputOf(cell)) { return cell; }
    }
    return null;
  }

  function nextInColumn(td, step) {
    var row = td.parentNode;
    var index = td.cellIndex;
    while (row) {
      row = step > 0 ? row.nextElementSibling : row.previousElementSibling;
      if (row && inputOf(row.cells[index])) { return row.cells[index]; }
    }
    return null;
  }

  function focusCell(td) {
    var input = inputOf(td);
    if (input) { input.focus(); input.select(); }
  }

  // --- messages and prompts ---------------------------------------------------------------

  function clearMessage(td) {
    var input = inputOf(td);
    var old = td.querySelector(".cell-msg");
    if (old) { old.parentNode.removeChild(old); }
    if (input) { input.removeAttribute("aria-invalid"); input.removeAttribute("aria-describedby"); }
  }

  function showMessage(td, text, isError) {
    clearMessage(td);
    if (!text) { return; }
    closeTip(td);
    var input = inputOf(td);
    var box = document.createElement("div");
    counter += 1;
    box.id = "cell-msg-" + counter;
    box.className = "cell-msg" + (isError ? "" : " info");
    box.setAttribute("role", isError ? "alert" : "status");
    box.textContent = text;
    td.appendChild(box);
    if (input) {
      input.setAttribute("aria-describedby", box.id);
      if (isError) { input.setAttribute("aria-invalid", "true"); }
    }
  }

  function closePrompt(td) {
    var prompt = td.querySelector(".cell-prompt");
    if (prompt) { prompt.parentNode.removeChild(prompt); }
  }

  function field(prompt, labelText, type, value) {
    counter += 1;
    var label = document.createElement("label");
    label.htmlFor = "cell-field-" + counter;
    label.textContent = labelText;
    var input = document.createElement("input");
    input.id = label.htmlFor;
    input.type = type;
    input.value = value || "";
    prompt.appendChild(label);
    prompt.appendChild(input);
    return input;
  }

  /* A small inline form under the cell: the reason for a change, or the request behind
     a corrected term mark. Enter sends, Escape goes back to the cell. */
  function openPrompt(td, message, kind) {
    closePrompt(td);
    var prompt = document.createElement("div");
    prompt.className = "cell-prompt";
    prompt.setAttribute("role", "group");
    var note = document.createElement("p");
    counter += 1;
    note.id = "cell-note-" + counter;
    note.textContent = message;
    prompt.setAttribute("aria-describedby", note.id);
    prompt.appendChild(note);
    var inputs = {};
    if (kind === "reason") {
      inputs.reason = field(prompt, T.reason, "text", "");
    } else {
      inputs.requested_on = field(prompt, T.requestedOn, "date", td.getAttribute("data-ro"));
      inputs.requested_by = field(prompt, T.requestedBy, "text", td.getAttribute("data-rb"));
    }
    var actions = document.createElement("div");
    actions.className = "actions";
    var send = document.createElement("button");
    send.type = "button";
    send.textContent = T.save;
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "secondary";
    cancel.textContent = T.cancel;
    actions.appendChild(send);
    actions.appendChild(cancel);
    prompt.appendChild(actions);
    td.appendChild(prompt);

    function submit() {
      var extra = {};
      Object.keys(inputs).forEach(function (key) { extra[key] = inputs[key].value; });
      closePrompt(td);
      save(td, extra).then(function (ok) {
        if (ok) { focusCell(nextInColumn(td, 1) || td); } else { focusCell(td); }
      });
    }
    function back() { closePrompt(td); restore(td); focusCell(td); }
    send.addEventListener("click", submit);
    cancel.addEventListener("click", back);
    prompt.addEventListener("keydown", function (event) {
      event.stopPropagation();
      if (event.key === "Enter" && event.target.tagName === "INPUT") { event.preventDefault(); submit(); }
      if (event.key === "Escape") { event.preventDefault(); back(); }
    });
    var first = inputs.reason || inputs.requested_on;
    first.focus();
  }

  // --- the average and the proposal beside a thematic or term cell ---------------------

  function wantsTip(td) {
    var kind = columnOf(td).getAttribute("data-kind");
    return kind === "thematic" || kind === "term";
  }

  function closeTip(td) {
    var tip = td.querySelector(".cell-tip");
    if (!tip) { return; }
    var input = inputOf(td);
    if (input && input.getAttribute("aria-describedby") === tip.id) {
      input.removeAttribute("aria-describedby");
    }
    tip.parentNode.removeChild(tip);
  }

  function openTip(td) {
    closeTip(td);
    if (!wantsTip(td)) { return; }
    var row = td.parentNode;
    var average = row.getAttribute("data-avg");
    var proposal = row.getAttribute("data-prop");
    var tip = document.createElement("div");
    counter += 1;
    tip.id = "cell-tip-" + counter;
    tip.className = "cell-tip";
    var parts = [];
    parts.push(average ? T.average + ": " + average : T.noMarks);
    if (proposal) { parts.push(T.proposal + ": " + proposal); }
    tip.textContent = parts.join(" · ");
    td.appendChild(tip);
    var input = inputOf(td);
    if (input && !input.hasAttribute("aria-describedby")) {
      input.setAttribute("aria-describedby", tip.id);
    }
  }

  function refreshHints(td, data) {
    if (data.average === null || data.average === undefined) { return; }
    var row = td.parentNode;
    row.setAttribute("data-avg", data.average);
    row.setAttribute("data-prop", data.proposal || "");
    for (var i = 0; i < row.cells.length; i++) {
      var cell = row.cells[i];
      var head = headers[cell.cellIndex];
      if (!head || head.getAttribute("data-kind") !== "term") { continue; }
      var hint = cell.querySelector(".hint");
      if (!data.hint) {
        if (hint) { hint.parentNode.removeChild(hint); }
        continue;
      }
      if (!hint) {
        hint = document.createElement("small");
        hint.className = "hint";
        var input = inputOf(cell);
        cell.insertBefore(hint, input ? input.nextSibling : null);
      }
      hint.textContent = data.hint;
    }
    if (td.querySelector(".cell-tip")) { openTip(td); }
  }

  // --- saving -----------------------------------------------------------------------------

  function restore(td) {
    var input = inputOf(td);
    input.value = td.getAttribute("data-v");
    clearMessage(td);
    closePrompt(td);
  }

  function dirty(td) {
    var input = inputOf(td);
    return input.value.trim() !== td.getAttribute("data-v");
  }

  function markPending(td) {
    td.classList.add("pend");
    if (!td.querySelector(".pmark")) {
      var mark = document.createElement("span");
      mark.className = "pmark";
      mark.title = T.pending;
      mark.textContent = " " + T.pendingMark;
      td.appendChild(mark);
    }
  }

  function save(td, extra) {
    var input = inputOf(td);
    if (td.classList.contains("saving")) { return Promise.resolve(false); }
    var head = columnOf(td);
    var body = new URLSearchParams();
    body.set("student", td.parentNode.getAttribute("data-student"));
    body.set("value", input.value);
    body.set("term", termId);
    if (head.hasAttribute("data-lesson")) {
      body.set("lesson", head.getAttribute("data-lesson"));
    } else {
      body.set("kind", head.getAttribute("data-kind"));
      if (head.hasAttribute("data-theme")) { body.set("theme", head.getAttribute("data-theme")); }
    }
    Object.keys(extra || {}).forEach(function (key) { body.set(key, extra[key]); });
    var offline = window.ZhurnalOffline;
    if (offline && offline.offline()) { return queueCell(td); }
    td.classList.add("saving");
    td.classList.remove("saved");
    input.setAttribute("aria-busy", "true");
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      td.classList.remove("saving");
      input.removeAttribute("aria-busy");
      if (data.need_reason || data.need_request) {
        showMessage(td, "", false);
        openPrompt(td, data.message, data.need_reason ? "reason" : "request");
        return false;
      }
      if (!data.ok) {
        showMessage(td, data.message, true);
        return false;
      }
      td.setAttribute("data-v", data.value);
      input.value = data.value;
      refreshHints(td, data);
      if (extra && extra.requested_on !== undefined) {
        td.setAttribute("data-ro", extra.requested_on);
        td.setAttribute("data-rb", extra.requested_by);
      }
      if (data.pending) {
        markPending(td);
        showMessage(td, data.message, false);
      } else {
        clearMessage(td);
        td.classList.add("saved");
        window.setTimeout(function () { td.classList.remove("saved"); }, 1500);
      }
      return true;
    }).catch(function (error) {
      td.classList.remove("saving");
      input.removeAttribute("aria-busy");
      if (offline && offline.networkError(error)) { return queueCell(td); }
      showMessage(td, T.failed, true);
      return false;
    });
  }

  // --- without a connection (offline.js keeps the entry and sends it later) -------------
  // Only an empty cell of a lesson is filled offline (a mark or «н»): changing what is
  // recorded waits for the connection, where its rules (a reason, a locked term) apply.

  function cellOf(lesson, student) {
    var row = table.querySelector("tbody tr[data-student='" + student + "']");
    if (!row) { return null; }
    for (var i = 0; i < headers.length; i++) {
      if (headers[i].getAttribute("data-lesson") === String(lesson)) { return row.cells[i]; }
    }
    return null;
  }

  function showQueued(td, entry) {
    var words = window.ZhurnalOffline.T;
    var state = entry.state === "queued" ? words.unsent :
      (entry.state === "conflict" ? words.conflict : words.refused);
    td.classList.add("offline-queued");
    var input = inputOf(td);
    if (input) {
      if (entry.state === "queued") { input.value = entry.shown; }
      input.title = entry.shown + " · " + state;
    }
    var note = td.querySelector(".offline-note") || document.createElement("span");
    note.className = "offline-note visually-hidden";
    note.textContent = state;
    td.appendChild(note);
  }

  function queueCell(td) {
    var offline = window.ZhurnalOffline;
    var input = inputOf(td);
    var head = columnOf(td);
    var text = input.value.trim();
    if (!head.hasAttribute("data-lesson") || td.getAttribute("data-v") !== "" || !text) {
      showMessage(td, table.getAttribute("data-offline-empty-only") || T.failed, true);
      return Promise.resolve(false);
    }
    var absent = ["н", "n"].indexOf(text.toLowerCase()) !== -1;
    var row = td.parentNode;
    var entry = offline.entry({
      lesson: Number(head.getAttribute("data-lesson")),
      student: Number(row.getAttribute("data-student")),
      what: absent ? "attendance" : "mark",
      status: absent ? "absent" : null,
      value: absent ? "" : text, kind: "current", comment: "",
      base: "", label: row.cells[0].textContent.trim(), shown: absent ? "н" : text
    });
    return offline.queue([entry]).then(function () {
      td.setAttribute("data-v", entry.shown);
      showMessage(td, offline.T.unsent, false);
      return true;
    });
  }

  document.addEventListener("zhurnal:offline-changed", function (event) {
    table.querySelectorAll("td.offline-queued").forEach(function (td) {
      td.classList.remove("offline-queued");
      var note = td.querySelector(".offline-note");
      if (note) { note.parentNode.removeChild(note); }
    });
    event.detail.entries.forEach(function (entry) {
      var td = cellOf(entry.lesson, entry.student);
      if (td) { showQueued(td, entry); }
    });
  });

  // --- keys ---------------------------------------------------------------------------

  var MOVES = {
    ArrowUp: function (td) { return nextInColumn(td, -1); },
    ArrowDown: function (td) { return nextInColumn(td, 1); },
    ArrowLeft: function (td) { return nextInRow(td, -1); },
    ArrowRight: function (td) { return nextInRow(td, 1); }
  };

  table.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("cell-input")) { return; }
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var td = input.parentNode;
    if (event.key === "Enter") {
      event.preventDefault();
      if (!dirty(td)) { focusCell(nextInColumn(td, 1) || td); return; }
      save(td).then(function (ok) {
        if (ok) { focusCell(nextInColumn(td, 1) || td); }
      });
    } else if (event.key === "Escape") {
      event.preventDefault();
      restore(td);
      input.select();
    } else if (MOVES[event.key]) {
      var target = MOVES[event.key](td);
      if (!target) { return; }
      event.preventDefault();
      if (dirty(td)) { save(td); }
      focusCell(target);
    }
  });

  table.addEventListener("focusin", function (event) {
    var input = event.target;
    if (input.classList && input.classList.contains("cell-input")) {
      input.select();
      openTip(input.parentNode);
    }
  });

  table.addEventListener("focusout", function (event) {
    var input = event.target;
    if (input.classList && input.classList.contains("cell-input")) { closeTip(input.parentNode); }
  });

  // Leaving a changed cell with Tab or the mouse saves it too, so nothing typed is lost.
  table.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("cell-input")) { return; }
    var td = input.parentNode;
    if (dirty(td) && !td.querySelector(".cell-prompt")) { save(td); }
  });

  setup();
  if (window.ZhurnalOffline) { window.ZhurnalOffline.refresh(); }
})();
