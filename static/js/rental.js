/* Prichal rental block (booking/templates/booking/rental_widget.html): the price of the
   chosen rental, asked from the server (booking:rental-quote) whenever a choice changes;
   durations longer than the chosen start allows are marked; a new date reloads the day.
   The form works without it (the price then shows on the hold page). Texts come from
   the block's <template data-rental-i18n>; the server decides every price. */
(function () {
  "use strict";
  if (window.prichalRental) return;
  window.prichalRental = true;
  if (!window.fetch || !window.URLSearchParams || !("content" in document.createElement("template"))) return;

  function Rental(root) {
    var t = {};
    var strings = root.querySelector("[data-rental-i18n]");
    if (strings) strings.content.querySelectorAll("[data-k]").forEach(function (n) {
      t[n.getAttribute("data-k")] = n.textContent.trim();
    });
    this.t = t;
    this.root = root;
    this.url = root.getAttribute("data-quote-url");
    this.form = root.querySelector("[data-rental-form]");
    this.seq = 0;
    var day = root.querySelector("[data-rental-day]");
    if (day) {
      var input = day.querySelector("input[type=date]");
      var show = day.querySelector("[data-rental-show]");
      if (show) show.classList.add("visually-hidden");
      input.addEventListener("change", function () {
        if (input.value && input.checkValidity()) day.submit();
      });
    }
    if (!this.form) return;
    this.start = this.form.querySelector("[data-rental-start]");
    this.minutes = this.form.querySelector("[data-rental-minutes]");
    this.price = this.form.querySelector("[data-rental-price]");
    this.lines = this.form.querySelector("[data-rental-lines]");
    this.total = this.form.querySelector("[data-rental-total]");
    this.error = this.form.querySelector("[data-rental-error]");
    var self = this;
    this.form.addEventListener("change", function (event) {
      if (event.target === self.start) self.markDurations();
      self.quote();
    });
    this.markDurations();
    this.quote();
  }

  // A duration longer than the free time after the chosen start is marked (the server
  // refuses it anyway); if the chosen one no longer fits, the longest that fits is taken.
  Rental.prototype.markDurations = function () {
    var chosen = this.start.options[this.start.selectedIndex];
    var max = chosen ? Number(chosen.getAttribute("data-max")) : 0;
    var t = this.t;
    var fits = null;
    Array.prototype.forEach.call(this.minutes.options, function (option) {
      var tooLong = Number(option.value) > max;
      option.disabled = tooLong;
      option.textContent = option.getAttribute("data-label") + (tooLong ? " — " + t.tooLong : "");
      if (!tooLong) fits = option;
    });
    var selected = this.minutes.options[this.minutes.selectedIndex];
    if (selected && selected.disabled && fits) fits.selected = true;
  };

  Rental.prototype.quote = function () {
    var self = this;
    var params = new URLSearchParams();
    new FormData(this.form).forEach(function (value, key) {
      if (key !== "csrfmiddlewaretoken" && key !== "next") params.append(key, value);
    });
    var seq = ++this.seq;
    this.form.setAttribute("aria-busy", "true");
    fetch(this.url + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(
        function (response) {
          return response.json().catch(function () { return null; }).then(function (data) {
            if (response.ok && data) return data;
            throw { message: (data && data.message) || self.t.errorGeneric };
          });
        },
        function () { throw { message: self.t.errorNetwork }; }
      )
      .then(
        function (data) {
          if (seq !== self.seq) return;
          self.error.textContent = "";
          self.lines.textContent = "";
          data.lines.forEach(function (line) {
            var item = document.createElement("li");
            var label = document.createElement("span");
            var amount = document.createElement("span");
            label.textContent = line.label;
            amount.textContent = line.text;
            item.append(label, amount);
            self.lines.append(item);
          });
          self.total.textContent = data.total_text;
          self.total.setAttribute("data-total", data.total);
          self.price.hidden = false;
        },
        function (error) {
          if (seq !== self.seq) return;
          self.price.hidden = true;
          self.error.textContent = "";
          var p = document.createElement("p");
          p.className = "booking-notice booking-notice--error";
          p.textContent = error.message;
          self.error.append(p);
        }
      )
      .then(function () {
        if (seq === self.seq) self.form.removeAttribute("aria-busy");
      });
  };

  function init() {
    document.querySelectorAll("[data-rental-widget]").forEach(function (root) {
      if (root.hasAttribute("data-rental-ready")) return;
      root.setAttribute("data-rental-ready", "");
      new Rental(root);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
