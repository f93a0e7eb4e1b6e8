// Saves a decision without reloading the page; without this file the forms post and reload.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!form.classList.contains("decide")) return;
  event.preventDefault();
  const answer = await fetch(form.action, {
    method: "POST", body: new FormData(form), headers: { "X-Requested-With": "review.js" },
  });
  const row = form.closest("tr");
  const state = row && row.querySelector(".state");
  if (!answer.ok) {
    if (state) state.textContent = "not saved: " + (await answer.text());
    return;
  }
  const decision = await answer.text();
  const words = { accept: "accepted", reject: "rejected", add: "added", unusable_quote: "quote unusable" };
  if (row && decision !== "unusable_quote") row.dataset.state = decision;
  if (state) state.textContent = words[decision] || decision;
});
