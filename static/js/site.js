// The site menu on narrow screens: folded behind a "Menu" button (aria-expanded says whether it
// is open). Without this script the button stays hidden and the menu is always shown.
(function () {
  "use strict";
  var button = document.querySelector(".site-header .menu-toggle");
  var menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!menu) {
    return;
  }
  var header = button.closest(".site-header");

  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("is-open", open);
  }

  header.classList.add("has-menu-toggle");
  button.hidden = false;
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  // Escape closes the open menu and gives the focus back to its button.
  menu.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
})();

// The pledge browser's filters: on a phone they follow the results, folded until asked for.
(function () {
  "use strict";
  var panel = document.querySelector("details.facets-panel");
  if (panel && window.matchMedia("(max-width: 48rem)").matches) {
    panel.open = false;
  }
})();
