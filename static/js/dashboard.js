/* Draws the dashboard's charts with Chart.js from the JSON that each chart's template writes
 * with json_script (no inline script: a Content-Security-Policy is coming), and draws them again
 * whenever htmx swaps in a new dashboard body. The data tables beside the charts carry the same
 * figures for people who cannot see them. */
(function () {
  "use strict";

  // Colour-blind-safe palette (Okabe–Ito), then repeated.
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
  var HIGHLIGHT = "#D55E00";

  function formatter(kind) {
    var number = new Intl.NumberFormat(document.documentElement.lang || undefined, { maximumFractionDigits: 1 });
    if (kind === "percent") {
      return function (v) { return v === null ? "—" : number.format(v) + " %"; };
    }
    if (kind === "usd") {
      var usd = new Intl.NumberFormat(document.documentElement.lang || undefined, { notation: "compact", maximumFractionDigits: 1 });
      return function (v) { return v === null ? "—" : "USD " + usd.format(v); };
    }
    return function (v) { return v === null ? "—" : number.format(v); };
  }

  function config(spec) {
    var format = formatter(spec.format);
    var line = spec.type === "line";
    var datasets = spec.datasets.map(function (dataset, i) {
      var colour = PALETTE[i % PALETTE.length];
      var out = { label: dataset.label, data: dataset.data };
      if (spec.type === "doughnut") {
        out.backgroundColor = dataset.data.map(function (_v, j) { return PALETTE[j % PALETTE.length]; });
      } else if (spec.highlight) {
        out.backgroundColor = spec.highlight.map(function (selected) { return selected ? HIGHLIGHT : colour; });
      } else {
        out.backgroundColor = colour;
        out.borderColor = colour;
      }
      if (line) {
        out.spanGaps = true;
        out.pointRadius = dataset.data.length === 1 ? 5 : 2;
        out.tension = 0.1;
      }
      return out;
    });
    // Right-to-left pages (Arabic) draw right to left: the x axis runs leftwards, the y axis
    // stands on the right, legends and tooltips read from the right.
    var rtl = document.documentElement.dir === "rtl";
    var scales = {};
    if (spec.type !== "doughnut") {
      var valueAxis = spec.horizontal ? "x" : "y";
      scales = { x: { reverse: rtl }, y: { position: rtl ? "right" : "left" } };
      scales[valueAxis].beginAtZero = true;
      scales[valueAxis].ticks = { callback: format };
      if (spec.format === "percent") { scales[valueAxis].suggestedMax = 100; }
    }
    return {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: {
          legend: {
            display: spec.type === "doughnut" || datasets.length > 1,
            position: "bottom",
            rtl: rtl,
            textDirection: rtl ? "rtl" : "ltr"
          },
          tooltip: {
            rtl: rtl,
            textDirection: rtl ? "rtl" : "ltr",
            callbacks: {
              label: function (context) {
                var value = context.parsed && typeof context.parsed === "object"
                  ? (spec.horizontal ? context.parsed.x : context.parsed.y)
                  : context.parsed;
                return (context.dataset.label ? context.dataset.label + ": " : "") + format(value);
              }
            }
          }
        }
      }
    };
  }

  function draw(root) {
    if (typeof Chart === "undefined") { return; }
    (root || document).querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-chart"));
      if (!source) { return; }
      var existing = Chart.getChart(canvas);
      if (existing) { existing.destroy(); }
      new Chart(canvas, config(JSON.parse(source.textContent)));
    });
  }

  function release(root) {
    if (typeof Chart === "undefined" || !root) { return; }
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var chart = Chart.getChart(canvas);
      if (chart) { chart.destroy(); }
    });
  }

  // htmx:load fires for the first page and for every swapped-in element; without htmx (or
  // before it loads) the page draws itself once.
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:beforeSwap", function (event) { release(event.detail.target); });
  document.addEventListener("htmx:load", function (event) { draw(event.detail.elt); });
}());
