// The departure occupancy screen: a click on a seat of the map ticks (or unticks) its
// checkbox in the list under the map. The list works on its own without this script.
(function () {
  "use strict";
  const map = document.querySelector("[data-occupancy-map]");
  const form = document.querySelector("[data-occupancy-form]");
  if (!map || !form) return;
  const boxes = new Map();
  form.querySelectorAll('input[name="seats-seats"]').forEach((box) => boxes.set(box.value, box));

  function paint(seat, box) {
    seat.classList.toggle("bk-seat--chosen", box.checked);
  }

  map.querySelectorAll("[data-seat]").forEach((seat) => {
    const box = boxes.get(seat.dataset.seat);
    if (!box || box.disabled) return;
    seat.setAttribute("tabindex", "0");
    seat.setAttribute("role", "checkbox");
    const sync = () => {
      seat.setAttribute("aria-checked", box.checked ? "true" : "false");
      paint(seat, box);
    };
    const toggle = () => {
      box.checked = !box.checked;
      sync();
    };
    seat.addEventListener("click", toggle);
    seat.addEventListener("keydown", (event) => {
      if (event.key === " " || event.key === "Enter") {
        event.preventDefault();
        toggle();
      }
    });
    box.addEventListener("change", sync);
    sync();
  });
})();
