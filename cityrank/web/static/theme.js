// Viewer pages light or dark: the reader's prefers-color-scheme, or ?dark=1 / ?dark=0 as the
// embed takes it. Loaded in <head> (not deferred) so a dark page never flashes white; Bootstrap
// 5.3 styles both from data-bs-theme, the map client follows the same media query.
(function () {
  var q = new URLSearchParams(location.search).get("dark");
  var mq = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  function apply() {
    var dark = q === "1" ? true : q === "0" ? false : !!(mq && mq.matches);
    document.documentElement.setAttribute("data-bs-theme", dark ? "dark" : "light");
  }
  apply();
  if (mq && mq.addEventListener && q === null) mq.addEventListener("change", apply);
})();
