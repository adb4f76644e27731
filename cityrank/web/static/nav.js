// The navigation bar collapses behind a button on phones (Bootstrap's CSS; no Bootstrap JS).
(function () {
  var button = document.querySelector(".cr-nav .navbar-toggler");
  var list = document.getElementById("cr-nav-list");
  if (!button || !list) return;
  button.addEventListener("click", function () {
    var open = list.classList.toggle("show");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
