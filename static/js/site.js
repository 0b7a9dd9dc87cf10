// Site-wide behaviour: the "js" class on <html> (styles that need JavaScript), then the
// phone menu toggle; without JavaScript the menu is simply shown. Loaded without `defer`
// so that the class is set before the first paint (no inline script: the
// Content-Security-Policy allows none).
document.documentElement.classList.add("js");
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector(".nav-toggle");
    var nav = document.getElementById("main-nav");
    if (!button || !nav) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = nav.classList.toggle("is-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("is-open")) {
        nav.classList.remove("is-open");
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
  });
})();
