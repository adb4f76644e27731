// Viewer page: fill the embed snippet (iframe + resizer script) for the current map.
(function () {
  var box = document.getElementById("cr-snippet");
  if (!box) return;
  var esc = function (s) {
    return String(s).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  };
  var url = new URL(box.dataset.embedUrl, location.href).href;
  var host = new URL(box.dataset.hostJs, location.href).href;
  box.value =
    '<iframe data-cityrank src="' + esc(url) + '" title="' + esc(box.dataset.title) +
    '" style="width:100%;height:560px;border:0" loading="lazy"></iframe>\n' +
    '<script src="' + esc(host) + '" async></' + 'script>';
})();
