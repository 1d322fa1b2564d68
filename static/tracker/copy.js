// A "Copy" button beside each snippet to copy (a <textarea data-copy>). Without JavaScript
// the snippets are still there to select and copy by hand.
document.addEventListener("DOMContentLoaded", () => {
  const template = document.getElementById("copy-button");
  const done = document.getElementById("copy-done-text");
  if (!template || !navigator.clipboard) return;
  for (const code of document.querySelectorAll("textarea[data-copy]")) {
    const parts = template.content.cloneNode(true);
    const button = parts.querySelector("button");
    const status = parts.querySelector("[role=status]");
    button.setAttribute("aria-describedby", code.id);
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(code.value);
      status.textContent = done.textContent;
    });
    code.after(parts);
  }
});
