/* Prichal: the live part of a booking block on a cached page (content.page_cache).
   The cached page carries the block's shell, the same for every visitor; this fetches
   the block with its places left, the visitor's notices and a fresh CSRF token from
   content.views.booking_block and puts it in place, then runs its scripts (booking.js,
   rental.js). If anything fails, the shell's link to that block still works. */
(function () {
  "use strict";
  if (!window.fetch) return;

  function load(shell) {
    var url = shell.getAttribute("data-booking-fragment");
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html", "X-Prichal-Fragment": "1" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var box = document.createElement("div");
        box.innerHTML = html;
        var sources = [];
        box.querySelectorAll("script[src]").forEach(function (script) {
          sources.push(script.getAttribute("src"));
          script.remove();
        });
        // The page's own heading for the block (the fragment knows only the product).
        var heading = shell.querySelector(".booking__title");
        var live = box.querySelector(".booking__title");
        if (heading && live) live.textContent = heading.textContent;
        shell.replaceWith.apply(shell, Array.prototype.slice.call(box.childNodes));
        return sources;
      })
      .catch(function () { return []; /* the link to the live block stays */ });
  }

  function init() {
    var shells = Array.prototype.slice.call(document.querySelectorAll("[data-booking-fragment]"));
    if (!shells.length) return;
    // The widgets' scripts start once every block is in place: they set up all the
    // blocks they find when they run.
    Promise.all(shells.map(load)).then(function (lists) {
      var seen = {};
      lists.forEach(function (sources) {
        sources.forEach(function (src) {
          if (seen[src]) return;
          seen[src] = true;
          var script = document.createElement("script");
          script.src = src;
          document.body.append(script);
        });
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
