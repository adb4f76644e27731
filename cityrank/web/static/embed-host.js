// Host-page helper for cityrank embeds: resizes each <iframe data-cityrank> to the height
// its map reports through postMessage. Only messages from the iframe's own origin count.
(function () {
  window.addEventListener("message", function (ev) {
    var d = ev.data;
    if (!d || d.type !== "cityrank:height" || typeof d.height !== "number") return;
    document.querySelectorAll("iframe[data-cityrank]").forEach(function (f) {
      if (f.contentWindow === ev.source && new URL(f.src, location.href).origin === ev.origin) {
        f.style.height = Math.max(Math.ceil(d.height), 100) + "px"; // the real height: no cap, the table is never cut
      }
    });
  });
})();
