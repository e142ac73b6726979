// Only for filtering and folding: the page reads the same without it.
(function () {
  var controls = document.getElementById("controls");
  if (!controls) return;
  controls.hidden = false;
  controls.querySelectorAll("input[data-severity]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.body.classList.toggle("hide-" + box.dataset.severity, !box.checked);
    });
  });
  function fold(open) {
    document.querySelectorAll("details").forEach(function (d) { d.open = open; });
  }
  controls.querySelectorAll("button[data-fold]").forEach(function (button) {
    button.addEventListener("click", function () { fold(button.dataset.fold === "open"); });
  });
  // A link to a folded row opens its fold.
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    for (var el = target; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
    }
    if (target) target.scrollIntoView();
  }
  window.addEventListener("hashchange", reveal);
  reveal();
  window.addEventListener("beforeprint", function () { fold(true); });
})();
