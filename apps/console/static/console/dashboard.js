// Renders the dashboard's blocked-requests chart from the JSON embedded by the template.
(function () {
  var canvas = document.getElementById("blocks-chart");
  var data = document.getElementById("blocks-data");
  if (!canvas || !data || typeof Chart === "undefined") return;
  var chart = JSON.parse(data.textContent);
  var palette = ["#417690", "#e07b39", "#6a9f3b", "#b8336a", "#7d5ba6", "#c9a227", "#2a9d8f",
                 "#8d6e63", "#546e7a", "#d84315", "#00897b", "#5e35b1", "#f9a825", "#6d4c41"];
  chart.datasets.forEach(function (ds, i) { ds.backgroundColor = palette[i % palette.length]; });
  new Chart(canvas, {
    type: "bar",
    data: chart,
    options: {
      animation: false,
      responsive: true,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } }
    }
  });
})();
