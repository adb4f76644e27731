// Viewer page: fill the embed snippet (iframe + resizer script) for the current map, and keep
// it and the language switch on the map's current state ("cityrank:state": indicator,
// classes, interval view, what-if weights `w`) as the reader changes it in the page.
(function () {
  var box = document.getElementById("cr-snippet");
  var esc = function (s) {
    return String(s).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  };
  var embed = box ? new URL(box.dataset.embedUrl, location.href) : null;
  var write = function () {
    if (!box) return;
    var host = new URL(box.dataset.hostJs, location.href).href;
    box.value =
      '<iframe data-cityrank src="' + esc(embed.href) + '" title="' + esc(box.dataset.title) +
      '" style="width:100%;height:560px;border:0" loading="lazy"></iframe>\n' +
      '<script src="' + esc(host) + '" async></' + 'script>';
  };
  write();
  document.addEventListener("cityrank:state", function (e) {
    var d = e.detail || {};
    if (embed) {
      ["indicator", "classification", "k"].forEach(function (k) { if (d[k] !== undefined) embed.searchParams.set(k, String(d[k])); });
      if (d.intervals) embed.searchParams.set("intervals", "1"); else embed.searchParams.delete("intervals");
      if (d.w) { embed.searchParams.set("w", d.w); embed.searchParams.set("whatif", "1"); } else {
        embed.searchParams.delete("w"); embed.searchParams.delete("whatif");
      }
      write();
    }
    var sw = document.getElementById("lang-switch");
    if (sw) {
      var here = new URL(location.href);
      var target = new URL(sw.href, location.href);
      here.searchParams.set("lang", target.searchParams.get("lang") || "en");
      sw.href = here.pathname + here.search + here.hash;
    }
  });
})();
