// Poll a background job's status and update the progress bar; stop when it has finished.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("job-progress");
  var state = document.getElementById("job-state");
  var message = document.getElementById("job-message");
  var link = document.getElementById("job-download");
  function tick() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { return; }
        bar.value = s.percent;
        bar.textContent = s.percent + "\u00a0%";
        if (state.textContent !== s.state_label) { state.textContent = s.state_label; }
        if (message.textContent !== s.message) { message.textContent = s.message; }
        if (s.ready && s.file_name) {
          link.querySelector("a").textContent = "Télécharger " + s.file_name;
        }
        link.hidden = !s.ready;
        if (!s.finished) { window.setTimeout(tick, 1500); }
      })
      .catch(function () { window.setTimeout(tick, 5000); });
  }
  window.setTimeout(tick, 1000);
})();
