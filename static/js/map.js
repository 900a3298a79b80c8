/* Draws the world maps (chart specs of type "choropleth", dashboards/maps.py) with the vendored
 * chartjs-chart-geo: Natural Earth's country shapes (one TopoJSON file, fetched once) coloured
 * by the number of pledges; clicking a country opens its pledges. The table beside each map
 * has the same figures and links for people who cannot see or click it. No inline script. */
(function () {
  "use strict";

  var topologies = {};

  function topology(url) {
    if (!topologies[url]) {
      topologies[url] = fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) { throw new Error("map shapes: HTTP " + r.status); }
        return r.json();
      });
    }
    return topologies[url];
  }

  function drawOne(canvas, spec) {
    topology(spec.topology).then(function (topo) {
      if (!document.body.contains(canvas)) { return; }
      var countries = ChartGeo.topojson.feature(topo, topo.objects.countries).features;
      var number = new Intl.NumberFormat(document.documentElement.lang || undefined);
      var existing = Chart.getChart(canvas);
      if (existing) { existing.destroy(); }
      new Chart(canvas, {
        type: "choropleth",
        data: {
          labels: countries.map(function (c) { return spec.names[c.id] || c.properties.name; }),
          datasets: [{
            label: spec.label,
            outline: countries,
            data: countries.map(function (c) { return { feature: c, value: spec.values[c.id] || 0 }; })
          }]
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          showOutline: true,
          showGraticule: false,
          plugins: {
            legend: { display: false },
            tooltip: {
              callbacks: {
                label: function (context) {
                  var id = context.raw.feature.id;
                  var name = spec.names[id] || context.raw.feature.properties.name;
                  return name + ": " + number.format(spec.values[id] || 0);
                }
              }
            }
          },
          scales: {
            projection: { axis: "x", projection: "equalEarth" },
            color: { axis: "x", quantize: 5, interpolate: "blues", legend: { position: "bottom-right", align: "bottom" } }
          },
          onClick: function (_event, elements) {
            if (!elements.length) { return; }
            var link = spec.links[countries[elements[0].index].id];
            if (link) { window.location.assign(link); }
          }
        }
      });
    }).catch(function () {
      canvas.setAttribute("data-map-failed", "true");  // the table beside it still has every figure
    });
  }

  function draw(root) {
    if (typeof Chart === "undefined" || typeof ChartGeo === "undefined") { return; }
    (root || document).querySelectorAll("canvas[data-map]").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-map"));
      if (source) { drawOne(canvas, JSON.parse(source.textContent)); }
    });
  }

  function release(root) {
    if (typeof Chart === "undefined" || !root) { return; }
    root.querySelectorAll("canvas[data-map]").forEach(function (canvas) {
      var chart = Chart.getChart(canvas);
      if (chart) { chart.destroy(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:beforeSwap", function (event) { release(event.detail.target); });
  document.addEventListener("htmx:load", function (event) { draw(event.detail.elt); });
}());
