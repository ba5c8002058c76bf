// Simulateur: live result while typing, from POST /api/v1/simulations (same JSON as `faps simulate`).
// The page works without this file: the form posts to the server, which renders the result.
(function () {
  "use strict";
  var form = document.getElementById("simulateur");
  var section = document.getElementById("resultat");
  if (!form || !section || !window.fetch) { return; }
  var body = document.getElementById("resultat-corps");
  var capLabels = JSON.parse(section.getAttribute("data-cap-labels") || "{}");
  var euros = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });
  var rowName = /^(\w+)\[(\d+)\]\.(\w+)$/;
  var timer = null;

  function money(text) { return euros.format(Number(text)); }

  var months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                "septembre", "octobre", "novembre", "décembre"];

  // « version du 31 mars 2022 » for a version named by its date (as the server writes it)
  function version(name) {
    var day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(name || "");
    if (!day) { return "version " + name; }
    var d = Number(day[3]);
    return "version du " + (d === 1 ? "1er" : d) + " " + months[Number(day[2]) - 1] + " " + day[1];
  }

  function request() {
    var data = { expenses: [], public_funding: [], private_funding: [] };
    var rows = { expenses: {}, public_funding: {}, private_funding: {} };
    new FormData(form).forEach(function (value, name) {
      var match = rowName.exec(name);
      if (match && rows[match[1]]) {
        (rows[match[1]][match[2]] = rows[match[1]][match[2]] || {})[match[3]] = String(value).trim();
      } else if (name !== "csrf_token" && name !== "form_once" && name !== "action") {
        data[name] = String(value).trim();
      }
    });
    Object.keys(rows).forEach(function (table) {
      Object.keys(rows[table]).sort(function (a, b) { return a - b; }).forEach(function (i) {
        var row = rows[table][i];
        var filled = Object.keys(row).some(function (k) { return k !== "category" && row[k]; });
        if (!filled) { return; }
        if ("vat" in row && !row.vat) { row.vat = "0"; }
        data[table].push(row);
      });
    });
    data.health_activity = data.health_activity !== "false";
    data.works_started = data.works_started === "true";
    data.requested_amount = data.requested_amount || "0";
    data.commune_awarded_this_year = data.commune_awarded_this_year || "0";
    if (!data.premises_tenure) { delete data.premises_tenure; }
    return data;
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function showResult(result) {
    body.replaceChildren();
    var verdict = element("p", "", "verdict " + (result.eligible ? "eligible" : "ineligible"));
    verdict.appendChild(element("strong", result.eligible ? "Projet éligible" : "Projet non éligible"));
    verdict.appendChild(document.createTextNode(" — aide possible\u202f: "));
    verdict.appendChild(element("strong", money(result.grant), "grant"));
    verdict.appendChild(document.createTextNode(" (maximum " + money(result.max_grant) +
      "), règlement " + version(result.reglement_version) + "."));
    body.appendChild(verdict);
    body.appendChild(element("h3", "Critères"));
    var list = element("ul", "", "criteria");
    result.criteria.forEach(function (c) {
      var item = element("li", "", c.passed ? "passed" : "failed");
      item.appendChild(element("span", c.passed ? "Rempli\u202f: " : "Non rempli\u202f: ", "visually-hidden"));
      item.appendChild(document.createTextNode(c.message));
      list.appendChild(item);
    });
    body.appendChild(list);
    body.appendChild(element("h3", "Plafonds"));
    var table = element("table");
    var f = result.figures;
    table.appendChild(element("caption", "Base " + f.basis + "\u202f: coût total " + money(f.total_cost) +
      ", base éligible " + money(f.eligible_base)));
    var tbody = element("tbody");
    Object.keys(f.caps).forEach(function (code) {
      var tr = element("tr", "", code === result.binding_cap ? "binding" : "");
      var th = element("th", capLabels[code] || code);
      th.scope = "row";
      if (code === result.binding_cap) {
        th.appendChild(document.createTextNode(" "));
        th.appendChild(element("span", "plafond retenu", "badge badge-info"));
      }
      tr.appendChild(th);
      tr.appendChild(element("td", money(f.caps[code]), "num"));
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    body.appendChild(table);
  }

  function showErrors(answer) {
    body.replaceChildren(element("p", "Saisie incomplète ou invalide :", "muted"));
    var list = element("ul", "", "muted");
    Object.keys(answer.errors || {}).forEach(function (field) {
      list.appendChild(element("li", answer.errors[field].join(", ")));  // each names its field
    });
    body.appendChild(list);
  }

  function simulate() {
    var token = form.querySelector("input[name=csrf_token]").value;
    fetch(form.getAttribute("data-api"), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify(request())
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (response.ok) { showResult(answer); } else { showErrors(answer); }
      });
    }).catch(function () { /* the server-side button still works */ });
  }

  function later() { clearTimeout(timer); timer = setTimeout(simulate, 350); }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
