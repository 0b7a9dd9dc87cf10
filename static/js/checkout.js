/* Prichal checkout and order pages. Both work without JavaScript; this adds:
   - the checkout's countdown: when the hold runs out, the form is replaced by a notice
     with a way back (the server refuses a late order anyway);
   - Enter in the promo code field applies it instead of paying;
   - the order page asks the server about its status every few seconds while the
     payment is pending and reloads when it changes. No dependencies. */
(function () {
  "use strict";

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function countdown(node) {
    var seconds = Number(node.getAttribute("data-seconds")) || 0;
    var deadline = Date.now() + seconds * 1000;
    var output = node.querySelector("[data-clock]");
    var status = document.getElementById(node.getAttribute("data-status"));
    var timer = node.querySelector("[role=timer]");
    var expired = node.querySelector("[data-expired]");
    var form = document.querySelector("[data-checkout-form]");
    var said5 = seconds <= 300;
    var said1 = seconds <= 60;
    var interval = null;
    function tick() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      if (output) output.textContent = pad(Math.floor(left / 60)) + ":" + pad(left % 60);
      if (timer) timer.classList.toggle("is-urgent", left <= 60);
      if (status && left <= 300 && !said5) { said5 = true; if (left > 60) status.textContent = node.getAttribute("data-minutes5"); }
      if (status && left <= 60 && !said1) { said1 = true; status.textContent = node.getAttribute("data-minutes1"); }
      if (left === 0) {
        if (interval) clearInterval(interval);
        if (timer) timer.hidden = true;
        if (expired) {
          expired.hidden = false;
          expired.setAttribute("role", "alert");
        }
        if (form) {
          form.querySelectorAll("button, input").forEach(function (el) { el.disabled = true; });
          form.classList.add("is-expired");
        }
      }
    }
    interval = setInterval(tick, 1000);
    tick();
  }

  function promoEnter() {
    var apply = document.querySelector("[data-promo-apply]");
    var input = document.getElementById("id_promo_code");
    if (!apply || !input) return;
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") {
        e.preventDefault();
        apply.click();
      }
    });
  }

  function payOnce() {
    var form = document.querySelector("[data-checkout-form]");
    if (!form) return;
    form.addEventListener("submit", function (e) {
      if (form.classList.contains("is-sending")) {
        e.preventDefault();
        return;
      }
      form.classList.add("is-sending");
      form.setAttribute("aria-busy", "true");
    });
    // Coming back with the browser's Back button shows the page from its cache.
    window.addEventListener("pageshow", function () {
      form.classList.remove("is-sending");
      form.removeAttribute("aria-busy");
    });
  }

  function poll(root) {
    var url = root.getAttribute("data-poll");
    var now = root.getAttribute("data-status-now");
    var paymentNow = root.getAttribute("data-payment-now") || null;
    var delay = 2500;
    var tries = 0;
    if (!url || !window.fetch) return;
    function ask() {
      tries += 1;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && data.status && (data.status !== now || (data.payment || null) !== paymentNow)) {
            window.location.reload();
            return;
          }
          // After ten minutes, ask less often.
          setTimeout(ask, tries > 240 ? 10000 : delay);
        })
        .catch(function () { setTimeout(ask, 10000); });
    }
    setTimeout(ask, delay);
  }

  function init() {
    document.querySelectorAll("[data-checkout-countdown]").forEach(countdown);
    promoEnter();
    payOnce();
    document.querySelectorAll("[data-order][data-poll]").forEach(poll);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
