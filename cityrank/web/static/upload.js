// The upload form: the template link follows the chosen indicator system.
(function () {
  var sel = document.getElementById("u-system"), link = document.getElementById("u-template");
  if (!sel || !link) return;
  sel.addEventListener("change", function () {
    link.href = link.getAttribute("data-pattern").replace("__SYSTEM__", encodeURIComponent(sel.value));
  });
})();
