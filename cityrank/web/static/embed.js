// Tell the host page our height so its iframe can fit us (see embed-host.js).
(function () {
  function post() {
    var h = document.documentElement.scrollHeight;
    if (window.parent !== window) {
      window.parent.postMessage({ type: "cityrank:height", height: h, href: location.href }, "*");
    }
  }
  window.addEventListener("load", post);
  window.addEventListener("resize", post);
  document.querySelectorAll("details").forEach(function (d) { d.addEventListener("toggle", post); });
})();
