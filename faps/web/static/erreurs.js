/* The error summary at the top of a form: focused on load, each link pointing at its field. */
(function () {
  "use strict";
  var box = document.getElementById("error-summary");
  if (!box) { return; }
  box.querySelectorAll("a[data-field]").forEach(function (link) {
    var name = link.getAttribute("data-field");
    if (document.getElementById("f-" + name)) { return; }
    var target = document.getElementsByName(name)[0];
    if (target && target.id) { link.setAttribute("href", "#" + target.id); }
  });
  box.focus();
}());
