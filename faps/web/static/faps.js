// faps: wide tables scroll inside a box of their own, never the page; a box that scrolls can be
// reached and scrolled with the keyboard (tabindex) and is named after its table's caption.
(function () {
  "use strict";
  function wrap(table) {
    var box = document.createElement("div");
    box.className = "table-scroll";
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
    return box;
  }
  // The table's name: its caption, else the heading it stands under.
  function nameOf(table) {
    var caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    for (var node = table; node && node !== document.body; node = node.parentElement) {
      for (var before = node.previousElementSibling; before; before = before.previousElementSibling) {
        if (/^H[1-6]$/.test(before.tagName)) { return before.textContent.trim(); }
      }
    }
    return "Tableau";
  }
  var names = {};
  function uniqueName(table) {
    var name = nameOf(table);
    names[name] = (names[name] || 0) + 1;
    return names[name] > 1 ? name + " (" + names[name] + ")" : name;
  }
  function mark(box) {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", "Tableau défilant\u202f: " + box.dataset.name);
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }
  function setUp() {
    var boxes = [];
    document.querySelectorAll("main table:not(.cards)").forEach(function (table) {
      var box = table.parentNode.classList.contains("table-scroll") ? table.parentNode : wrap(table);
      box.dataset.name = uniqueName(table);
      boxes.push(box);
    });
    var again = function () { boxes.forEach(mark); };
    again();
    window.addEventListener("resize", again);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
