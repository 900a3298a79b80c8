/*
 * Review queue: a "select all on this page" checkbox for bulk publishing.
 * Progressive enhancement only: without JavaScript each row's checkbox still works, so the
 * control is created here rather than shown in the markup where it would do nothing.
 */
(function () {
  "use strict";

  function enhance(table) {
    var boxes = table.querySelectorAll('tbody input[type="checkbox"][name="pledges"]');
    var cell = table.querySelector("thead th.select");
    if (!boxes.length || !cell) {
      return;
    }
    var all = document.createElement("input");
    all.type = "checkbox";
    all.id = "select-all";
    var label = document.createElement("label");
    label.htmlFor = all.id;
    label.className = "visually-hidden";
    label.textContent = table.getAttribute("data-select-all-label") || "";
    cell.textContent = "";
    cell.appendChild(all);
    cell.appendChild(label);

    function sync() {
      var checked = 0;
      boxes.forEach(function (box) {
        if (box.checked) {
          checked += 1;
        }
      });
      all.checked = checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    }

    all.addEventListener("change", function () {
      boxes.forEach(function (box) {
        box.checked = all.checked;
      });
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", sync);
    });
    sync();
  }

  document.querySelectorAll("table.queue[data-select-all-label]").forEach(enhance);
})();
