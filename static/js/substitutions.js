// The substitutions page: after an in-place change (htmx swaps the list of teachers
// away), put the keyboard focus on the message about the lesson just changed, so that
// the work goes on from there and a screen reader reads what happened.
document.addEventListener("htmx:afterSettle", (event) => {
  const list = event.detail && event.detail.elt;
  const scope = list && list.id === "away" ? list : document.getElementById("away");
  const news = scope && scope.querySelector(".away-news");
  if (news) {
    news.focus();
  }
});
