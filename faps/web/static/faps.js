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
  function mark(box) {
    var table = box.querySelector("table");
    if (box.scrollWidth > box.clientWidth + 1) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      var caption = table.querySelector("caption");
      box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Tableau");
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }
  function setUp() {
    var boxes = [];
    document.querySelectorAll("main table:not(.cards)").forEach(function (table) {
      boxes.push(table.parentNode.classList.contains("table-scroll") ? table.parentNode : wrap(table));
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
