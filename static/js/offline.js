/* The offline journal, the page's side (issue 12, item 7; docs/offline.md).

   - Registers the service worker (/sw.js) and, on the teacher's first page of a session and
     on the home page, tells it which pages to keep for this user
     (/journal/offline/pages.json).
   - Keeps the entries made without a connection in IndexedDB, in a database of the
     signed-in user's own, each with the time it was made (the device's clock, with its
     offset) and the value the page showed before ("base").
   - Sends them to /journal/offline/sync/ when the connection returns (the "online" event)
     and on every page load; keeps the conflicts and refusals until the teacher settles or
     dismisses them.
   - Logging out deletes the entries and every stored page (the server also answers the
     logout with Clear-Site-Data).

   Pages use it through window.ZhurnalOffline (lesson-sheet.js, journal-grid.js); every
   text comes translated from the data-t-* attributes of #offline-status. */
(function () {
  "use strict";

  var box = document.getElementById("offline-status");
  if (!box) { return; }
  var user = box.getAttribute("data-user");
  var syncUrl = box.getAttribute("data-sync-url");
  var resolveUrl = box.getAttribute("data-resolve-url");
  var pagesUrl = box.getAttribute("data-pages-url");
  var T = {};
  Array.prototype.forEach.call(box.attributes, function (attribute) {
    if (attribute.name.indexOf("data-t-") === 0) { T[attribute.name.slice(7)] = attribute.value; }
  });
  var DB_NAME = "zhurnal-offline-" + user;
  var STORE = "entries";

  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (all, key) {
      return values[key] === undefined || values[key] === null ? "" : String(values[key]);
    });
  }

  // --- storage --------------------------------------------------------------------------

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "id" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var request = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () {
          db.close();
          resolve(request ? request.result : undefined);
        };
        transaction.onerror = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  function entries() {
    return withStore("readonly", function (store) { return store.getAll(); }).then(function (list) {
      return (list || []).sort(function (a, b) { return a.made_at < b.made_at ? -1 : 1; });
    });
  }

  function save(list) {
    return withStore("readwrite", function (store) {
      list.forEach(function (entry) { store.put(entry); });
      return null;
    });
  }

  function drop(ids) {
    return withStore("readwrite", function (store) {
      ids.forEach(function (id) { store.delete(id); });
      return null;
    });
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); });
    return [hex.slice(0, 4), hex.slice(4, 6), hex.slice(6, 8), hex.slice(8, 10), hex.slice(10)]
      .map(function (part) { return part.join(""); }).join("-");
  }

  // The device's local time with its offset: when the entry was made, where it was made.
  function isoNow() {
    var d = new Date();
    var offset = -d.getTimezoneOffset();
    function pad(n, size) { return String(Math.floor(Math.abs(n))).padStart(size || 2, "0"); }
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) +
      "T" + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) +
      "." + pad(d.getMilliseconds(), 3) + (offset >= 0 ? "+" : "-") +
      pad(offset / 60) + ":" + pad(offset % 60);
  }

  function timeOf(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return ""; }
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }

  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var node = document.querySelector("input[name=csrfmiddlewaretoken]");
    return node ? node.value : "";
  }

  function postJson(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(data)
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) { throw new Error(String(response.status)); }
      return response.json();
    });
  }

  // --- the status line --------------------------------------------------------------------

  var line = document.createElement("p");
  line.className = "offline-line";
  line.setAttribute("role", "status");
  var problems = document.createElement("ul");
  problems.className = "offline-problems";
  box.appendChild(line);
  box.appendChild(problems);
  var lastSent = 0;
  var waiting = 0;

  function button(text, onClick) {
    var node = document.createElement("button");
    node.type = "button";
    node.className = "secondary";
    node.textContent = text;
    node.addEventListener("click", onClick);
    return node;
  }

  function describe(entry) {
    return (entry.label ? entry.label + ": " : "") + (entry.shown || "—");
  }

  function render(list) {
    var queued = list.filter(function (e) { return e.state === "queued"; });
    waiting = queued.length;
    var parts = [];
    if (!navigator.onLine) { parts.push(T.offline); }
    if (queued.length) { parts.push(fill(T.count, { n: queued.length })); }
    if (lastSent && !queued.length) { parts.push(fill(T.sent, { n: lastSent })); }
    line.textContent = parts.join(" ");
    problems.textContent = "";
    list.forEach(function (entry) {
      if (entry.state !== "conflict" && entry.state !== "refused") { return; }
      var item = document.createElement("li");
      item.className = "offline-problem " + entry.state;
      item.setAttribute("data-entry", entry.id);
      var what = document.createElement("p");
      var title = document.createElement("strong");
      title.textContent = entry.state === "conflict" ? T.conflict : T.refused;
      what.appendChild(title);
      what.appendChild(document.createTextNode(" " + describe(entry) + " — " + (entry.message || "")));
      item.appendChild(what);
      if (entry.state === "conflict") {
        var theirs = entry.theirs || {};
        var both = document.createElement("p");
        both.textContent = fill(T.mine, { value: entry.shown || "—", time: timeOf(entry.made_at) }) +
          " · " + fill(T.theirs, { value: theirs.value || "—", who: theirs.by || "—", time: timeOf(theirs.at) });
        item.appendChild(both);
        item.appendChild(button(T["keep-mine"], function () { settle(entry, "mine"); }));
        item.appendChild(document.createTextNode(" "));
        item.appendChild(button(T["keep-theirs"], function () { settle(entry, "theirs"); }));
      } else {
        item.appendChild(button(T.dismiss, function () { drop([entry.id]).then(refresh); }));
      }
      problems.appendChild(item);
    });
    box.hidden = !line.textContent && !problems.children.length;
    document.dispatchEvent(new CustomEvent("zhurnal:offline-changed", { detail: { entries: list } }));
  }

  function refresh() {
    return entries().then(render).catch(function () { return undefined; });
  }

  // --- sending ----------------------------------------------------------------------------

  var syncing = null;
  // Retries: every 30 s while entries wait; sooner after a failure of the network, which
  // may not show in navigator.onLine (3, 6, 12 s, then every 12 s).
  var ticks = 0;
  var nextTry = 0;
  var failures = 0;
  var SETTLED = { applied: true, pending: true, kept_mine: true, kept_theirs: true };

  function wire(entry) {
    return {
      id: entry.id, lesson: entry.lesson, student: entry.student, what: entry.what,
      value: entry.value, kind: entry.kind, comment: entry.comment, status: entry.status,
      late_minutes: entry.late_minutes, made_at: entry.made_at, base: entry.base
    };
  }

  function finished(done, lessons) {
    if (done.length) { lastSent = done.length; }
    document.dispatchEvent(new CustomEvent("zhurnal:offline-synced", {
      detail: { applied: done.length, lessons: lessons }
    }));
  }

  function sync() {
    if (syncing) { return syncing; }
    if (!navigator.onLine) { return refresh(); }
    syncing = entries().then(function (list) {
      var queued = list.filter(function (e) { return e.state === "queued"; });
      if (!queued.length) { return undefined; }
      var byId = {};
      queued.forEach(function (e) { byId[e.id] = e; });
      return postJson(syncUrl, { entries: queued.map(wire) }).then(function (data) {
        failures = 0;
        nextTry = ticks + 10;
        if (!Array.isArray(data.results)) { return undefined; }
        var done = [];
        var lessons = {};
        var kept = [];
        data.results.forEach(function (result) {
          var entry = byId[result.id];
          if (!entry) { return; }
          if (SETTLED[result.outcome]) {
            done.push(entry.id);
            lessons[entry.lesson] = true;
          } else {
            entry.state = result.outcome === "conflict" ? "conflict" : "refused";
            entry.message = result.message;
            entry.theirs = result.theirs;
            kept.push(entry);
          }
        });
        return drop(done).then(function () { return save(kept); }).then(function () {
          finished(done, Object.keys(lessons));
        });
      });
    }).catch(function () {
      failures += 1;
      nextTry = ticks + Math.min(4, Math.pow(2, failures - 1));
    }).then(function () {
      syncing = null;
      return refresh();
    });
    return syncing;
  }

  function settle(entry, choice) {
    return postJson(resolveUrl, { id: entry.id, choice: choice }).then(function (data) {
      if (!data.ok) {
        entry.message = data.message;
        return save([entry]);
      }
      return drop([entry.id]).then(function () { finished(choice === "mine" ? [entry.id] : [], [String(entry.lesson)]); });
    }).catch(function () { return undefined; }).then(refresh);
  }

  // --- the page's API ---------------------------------------------------------------------

  window.ZhurnalOffline = {
    T: T,
    offline: function () { return !navigator.onLine; },
    // A network failure (not an answer of the server): fetch rejects with a TypeError.
    networkError: function (error) { return error instanceof TypeError; },
    entry: function (fields) {
      var entry = { id: uuid(), user: user, made_at: isoNow(), state: "queued", page: location.pathname };
      Object.keys(fields).forEach(function (key) { entry[key] = fields[key]; });
      return entry;
    },
    queue: function (list) {
      return save(list).then(function () { return navigator.onLine ? sync() : refresh(); });
    },
    entries: entries,
    refresh: refresh
  };

  window.addEventListener("online", sync);
  window.addEventListener("offline", refresh);
  // Browsers do not always announce a returning connection (and a connection may be up
  // while the server is not): look every few seconds, and retry what waits twice a minute.
  var wasOnline = navigator.onLine;
  window.setInterval(function () {
    ticks += 1;
    if (navigator.onLine !== wasOnline) {
      wasOnline = navigator.onLine;
      if (wasOnline) { sync(); } else { refresh(); }
    } else if (wasOnline && waiting && ticks >= nextTry) {
      sync();
    }
  }, 3000);

  // --- the service worker -----------------------------------------------------------------

  function precache(registration) {
    return fetch(pagesUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        return new Promise(function (resolve) {
          var channel = new MessageChannel();
          channel.port1.onmessage = function (event) { resolve(event.data); };
          registration.active.postMessage({ type: "precache", user: data.user, pages: data.pages }, [channel.port2]);
        });
      }).then(function () {
        sessionStorage.setItem("zhurnal-offline-kept-" + user, String(Date.now()));
        document.documentElement.setAttribute("data-offline-ready", "1");
      });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { return undefined; });
    var home = box.hasAttribute("data-home");
    var kept = sessionStorage.getItem("zhurnal-offline-kept-" + user);
    if (navigator.onLine && (home || !kept)) {
      navigator.serviceWorker.ready.then(precache).catch(function () { return undefined; });
    } else if (kept) {
      document.documentElement.setAttribute("data-offline-ready", "1");
    }
  }

  // --- logging out on a shared device -------------------------------------------------------

  // The server answers the logout with Clear-Site-Data and the service worker drops its
  // pages when it sees the logout go by; the page starts deleting too, without holding
  // the logout back. Entries not sent yet are named first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("logout")) { return; }
    if (waiting && !window.confirm(fill(T["logout-unsent"], { n: waiting }))) {
      event.preventDefault();
      return;
    }
    sessionStorage.removeItem("zhurnal-offline-kept-" + user);
    try { indexedDB.deleteDatabase(DB_NAME); } catch (error) { /* the server clears it */ }
    if (window.caches) {
      caches.keys().then(function (keys) {
        return Promise.all(keys.map(function (key) { return caches.delete(key); }));
      }).catch(function () { return undefined; });
    }
  });

  sync();
})();
