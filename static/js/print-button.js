// A "Print" button for pages meant to be printed (access code slips): shown only when
// scripts run, since without them the browser's own Print command is the way.
document.querySelectorAll("button[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
