/* The journal grid opens where the teacher works: the column of today's (or the last
   held) lesson, marked #grid-focus by the server, is scrolled into view beside the sticky
   names, for every reader of the grid. */
(function () {
  "use strict";

  /* Put the focus column just right of the sticky names, with two earlier lessons before
     it, so that the last lessons and the coming ones are both in view. */
  function openAtFocus() {
    var grid = document.querySelector("table.jgrid");
    var focus = document.getElementById("grid-focus");
    if (!grid || !focus) { return; }
    var wrap = grid.parentNode;
    var names = grid.tHead.rows[0].cells[0];
    var before = focus.previousElementSibling;
    var lead = 0;
    for (var i = 0; i < 2 && before && before !== names; i++) {
      lead += before.offsetWidth;
      before = before.previousElementSibling;
    }
    var room = wrap.clientWidth - names.offsetWidth - focus.offsetWidth;
    wrap.scrollLeft = Math.max(0, focus.offsetLeft - names.offsetWidth - Math.min(lead, Math.max(room, 0)));
  }
  openAtFocus();
})();
