// The letters page: a "choose all" box at the head of each group ticks that group's letters.
document.querySelectorAll("input[data-choose-all]").forEach((all) => {
  all.addEventListener("change", () => {
    const group = all.dataset.chooseAll;
    document.querySelectorAll(`input[name="id"][data-group="${group}"]`).forEach((box) => {
      box.checked = all.checked;
    });
  });
});
