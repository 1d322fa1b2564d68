// On /data/, each file's form builds the address of the filtered file as its fields change.
// Without JavaScript the form is sent and the page comes back with the same address, checked.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-file-url]")) {
    const shown = form.querySelector(".download-link");
    const link = shown.querySelector("a");
    const code = link.querySelector("code");
    const update = () => {
      const query = new URLSearchParams();
      for (const [name, value] of new FormData(form)) {
        if (name === "file" || name === "tz" || value.trim() === "") continue;
        query.append(name, value.trim());
      }
      const text = query.toString();
      const address = form.dataset.fileUrl + (text ? "?" + text : "");
      link.href = address;
      code.textContent = address;
      shown.hidden = false;
    };
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    // A form the server sent back with refusals keeps them in view until a field changes.
    if (!form.querySelector(".errors")) update();
  }
});
