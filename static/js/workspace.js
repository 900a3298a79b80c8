/*
 * Progressive enhancements of the pledge editor. Every page works without this file: the server
 * validates everything and the forms submit normally. Kept out of the pages (no inline script)
 * so that a Content-Security-Policy can forbid inline code.
 *
 * 1. Show only the forums, objectives, actions, principles, thematic areas and support
 *    platforms of the chosen compact. Hidden inputs are disabled so that they are not submitted.
 * 2. A live character count under the description (GCM pledges need 300 to 3,000).
 * 3. "Add another target" rows for the targets formset.
 * 4. Focus the error summary, so that keyboard and screen reader users hear the problems first.
 */
(function () {
  "use strict";

  function chosenCompact(form) {
    var checked = form.querySelector('input[name="compact"]:checked');
    if (checked) {
      return checked.getAttribute("data-compact") || "";
    }
    var select = form.querySelector('select[name="compact"]');
    if (select && select.selectedOptions.length) {
      return select.selectedOptions[0].getAttribute("data-compact") || "";
    }
    return "";
  }

  function narrowToCompact(form) {
    var code = chosenCompact(form);
    // Options of selects (forum, support platform).
    form.querySelectorAll("option[data-compact]").forEach(function (option) {
      var other = code !== "" && option.getAttribute("data-compact") !== code;
      option.hidden = other;
      option.disabled = other;
      if (other && option.selected) {
        option.selected = false;
        option.parentElement.closest("select").value = "";
      }
    });
    // Optgroups left without a visible option are hidden too.
    form.querySelectorAll("optgroup").forEach(function (group) {
      group.hidden = !group.querySelector("option:not([hidden])");
    });
    // One fieldset of checkboxes per compact; a disabled fieldset submits none of them.
    form.querySelectorAll("fieldset.compact-group[data-compact]").forEach(function (group) {
      var other = code !== "" && group.getAttribute("data-compact") !== code;
      group.hidden = other;
      group.disabled = other;
    });
    // A field with nothing left for this compact (e.g. guiding principles for the GCR).
    form.querySelectorAll("[data-compact-groups]").forEach(function (field) {
      field.hidden = !field.querySelector("fieldset.compact-group:not([hidden])");
    });
  }

  function setUpCompactFilter(form) {
    form.querySelectorAll('[name="compact"]').forEach(function (input) {
      input.addEventListener("change", function () {
        narrowToCompact(form);
      });
    });
    narrowToCompact(form);
  }

  function setUpCharCount(form) {
    form.querySelectorAll("[data-charcount-for]").forEach(function (counter) {
      var textarea = document.getElementById(counter.getAttribute("data-charcount-for"));
      var number = counter.querySelector("[data-count]");
      if (!textarea || !number) {
        return;
      }
      var min = parseInt(counter.getAttribute("data-min"), 10);
      var max = parseInt(counter.getAttribute("data-max"), 10);
      var describedBy = textarea.getAttribute("aria-describedby") || "";
      if (describedBy.split(" ").indexOf(counter.id) === -1) {
        textarea.setAttribute("aria-describedby", (describedBy + " " + counter.id).trim());
      }
      function update() {
        // The server counts the trimmed text; so does this.
        var length = textarea.value.trim().length;
        number.textContent = String(length);
        var outside = chosenCompact(form) === "GCM" && (length < min || length > max);
        counter.classList.toggle("out-of-range", outside);
      }
      textarea.addEventListener("input", update);
      form.querySelectorAll('[name="compact"]').forEach(function (input) {
        input.addEventListener("change", update);
      });
      update();
    });
  }

  function setUpFormset(form) {
    form.querySelectorAll("[data-formset]").forEach(function (container) {
      var prefix = container.getAttribute("data-formset");
      var total = container.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
      var maxNum = container.querySelector('input[name="' + prefix + '-MAX_NUM_FORMS"]');
      var rows = container.querySelector("[data-formset-rows]");
      var template = container.querySelector("template[data-formset-template]");
      if (!total || !rows || !template) {
        return;
      }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.textContent = container.getAttribute("data-add-label");
      button.addEventListener("click", function () {
        var index = parseInt(total.value, 10);
        if (maxNum && index >= parseInt(maxNum.value, 10)) {
          return;
        }
        var html = template.innerHTML.replace(/__prefix__/g, String(index));
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var row = holder.firstElementChild;
        rows.appendChild(row);
        total.value = String(index + 1);
        var first = row.querySelector("input:not([type=hidden]), select, textarea");
        if (first) {
          first.focus();
        }
      });
      container.appendChild(button);
    });
  }

  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-pledge-form]").forEach(function (form) {
      setUpCompactFilter(form);
      setUpCharCount(form);
      setUpFormset(form);
    });
    focusErrorSummary();
  });
})();
