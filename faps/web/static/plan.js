// Dossier editor: the financing plan, its warnings and the estimated grant refresh while the
// commune types. The server computes them (the Simulateur's computation) and returns the HTML
// block; without this file the same block is shown on each page load and after each save.
(function () {
  "use strict";
  var form = document.getElementById("dossier-edit");
  var target = document.getElementById("estimation-corps");
  if (!form || !target || !window.fetch || !window.FormData) { return; }
  var timer = null;
  var sent = 0;

  function refresh() {
    var number = ++sent;
    var data = new FormData(form);
    data.delete("action");
    data.delete("form_once");  // a preview must not use up the save's one-time token
    fetch(form.getAttribute("data-estimate"), {
      method: "POST", credentials: "same-origin", body: data,
      headers: { "X-CSRF-Token": form.querySelector("input[name=csrf_token]").value }
    }).then(function (response) {
      if (!response.ok) { return null; }
      return response.text();
    }).then(function (html) {
      if (html !== null && number === sent) { target.innerHTML = html; }
    }).catch(function () { /* the block of the last save stays */ });
  }

  function later() { clearTimeout(timer); timer = setTimeout(refresh, 300); }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
