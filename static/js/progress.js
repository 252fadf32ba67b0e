// Follows a background job: polls its status every two seconds, updates the progress bar
// and the text, and reloads the page when the job has finished (to list its documents).
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box || box.dataset.finished === "1") return;
  var url = box.dataset.statusUrl;
  var bar = document.getElementById("job-bar");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) { window.setTimeout(poll, 5000); return; }
        bar.value = status.percent;
        bar.textContent = status.percent + "%";
        box.querySelectorAll("[data-field]").forEach(function (node) {
          node.textContent = status[node.dataset.field];
        });
        if (status.finished) { window.location.reload(); } else { window.setTimeout(poll, 2000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
