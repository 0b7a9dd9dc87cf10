// Yandex Metrica, only with the visitor's consent (README, "Analytics (Yandex Metrica)").
// The page is the same for everybody (the page cache keeps it), so the choice lives in a
// first-party cookie that only this script reads and writes: "granted" loads Metrica's
// tag, "denied" loads nothing, no cookie shows the banner. Included only when a counter
// id is configured; its number is in the banner's data-metrica-counter attribute.
(function () {
  "use strict";
  var COOKIE = "prichal_analytics";
  var YEAR_SECONDS = 365 * 24 * 60 * 60;
  var TAG_URL = "https://mc.yandex.ru/metrika/tag.js";
  // Orders whose purchase was already reported from this browser, so that opening the
  // order page again does not count the sale twice.
  var REPORTED_KEY = "prichal_metrica_purchases";

  function readChoice() {
    var match = document.cookie.match(/(?:^|;\s*)prichal_analytics=(granted|denied)(?:;|$)/);
    return match ? match[1] : "";
  }

  function remember(choice) {
    var cookie = COOKIE + "=" + choice + "; Max-Age=" + YEAR_SECONDS + "; Path=/; SameSite=Lax";
    if (window.location.protocol === "https:") cookie += "; Secure";
    document.cookie = cookie;
  }

  // Metrica's own cookies (_ym_uid, _ym_d, ...): dropped when a visitor who had accepted
  // refuses, on this host and on the parent domains Metrica may have set them for.
  function forgetMetricaCookies() {
    var names = document.cookie.split(";").map(function (pair) {
      return pair.split("=")[0].trim();
    }).filter(function (name) { return name.indexOf("_ym") === 0; });
    var parts = window.location.hostname.split(".");
    var domains = [""];
    for (var i = 0; i < parts.length - 1; i++) domains.push("; Domain=." + parts.slice(i).join("."));
    names.forEach(function (name) {
      domains.forEach(function (domain) {
        document.cookie = name + "=; Max-Age=0; Path=/" + domain;
      });
    });
  }

  function reported() {
    try {
      return JSON.parse(window.localStorage.getItem(REPORTED_KEY) || "[]");
    } catch (error) {
      return [];
    }
  }

  // The order page of a paid order carries its purchase (order code, excursion, prices,
  // quantities; nothing about the buyer): handed to Metrica's e-commerce data layer once.
  function reportPurchase(counter) {
    var holder = document.querySelector("[data-metrica-purchase]");
    if (!holder) return;
    var purchase;
    try {
      purchase = JSON.parse(holder.getAttribute("data-metrica-purchase"));
    } catch (error) {
      return;
    }
    var done = reported();
    var id = purchase.actionField && purchase.actionField.id;
    if (!id || done.indexOf(id) !== -1) return;
    window.dataLayer.push({ ecommerce: { currencyCode: "RUB", purchase: purchase } });
    window.ym(counter, "reachGoal", "purchase", { order_price: purchase.actionField.revenue, currency: "RUB" });
    done.push(id);
    try {
      window.localStorage.setItem(REPORTED_KEY, JSON.stringify(done.slice(-50)));
    } catch (error) {
      // Private mode without storage: the sale may be counted again, nothing worse.
    }
  }

  // Metrica's documented loader, as a static file instead of an inline snippet.
  function loadMetrica(counter) {
    if (document.getElementById("metrica-tag")) return;
    window.dataLayer = window.dataLayer || [];
    window.ym = window.ym || function () {
      (window.ym.a = window.ym.a || []).push(arguments);
    };
    window.ym.l = Date.now();
    var script = document.createElement("script");
    script.id = "metrica-tag";
    script.async = true;
    script.src = TAG_URL;
    document.head.appendChild(script);
    // No session replay (Webvisor) and no click maps: forms hold personal data.
    window.ym(counter, "init", {
      ecommerce: "dataLayer",
      trackLinks: true,
      accurateTrackBounce: true,
      clickmap: false,
      webvisor: false,
    });
    reportPurchase(counter);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var banner = document.getElementById("analytics-consent");
    if (!banner) return;
    var counter = Number(banner.getAttribute("data-metrica-counter"));
    if (!counter) return;
    var opener = document.querySelector("[data-consent-open]");
    var returnFocus = null;

    // While the banner is up, the end of the page can still be scrolled into view above
    // it (set through the CSSOM, which the Content-Security-Policy allows).
    function makeRoom() {
      document.body.style.paddingBottom = banner.hidden ? "" : banner.offsetHeight + "px";
    }
    function show() {
      banner.hidden = false;
      makeRoom();
    }
    function hide() {
      banner.hidden = true;
      document.body.style.paddingBottom = "";
      if (returnFocus) returnFocus.focus();
      returnFocus = null;
    }

    banner.addEventListener("click", function (event) {
      var button = event.target.closest("[data-consent]");
      if (!button) return;
      var choice = button.getAttribute("data-consent");
      var before = readChoice();
      remember(choice);
      hide();
      if (choice === "granted") {
        loadMetrica(counter);
      } else if (before === "granted") {
        // Metrica is running in this page already: drop its cookies and start afresh
        // without it.
        forgetMetricaCookies();
        window.location.reload();
      }
    });
    var details = banner.querySelector("details");
    if (details) details.addEventListener("toggle", makeRoom);
    window.addEventListener("resize", makeRoom);
    banner.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && readChoice()) hide();
    });
    if (opener) {
      opener.hidden = false;
      opener.addEventListener("click", function () {
        returnFocus = opener;
        show();
        banner.querySelector(".consent__title").focus();
      });
    }

    var choice = readChoice();
    if (choice === "granted") loadMetrica(counter);
    else if (!choice) show();
  });
})();
