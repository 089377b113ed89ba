// Charts drawn with Apache ECharts (served from our static files, decision 0026).
// Each chart is a <div class="chart" data-chart="ID"> beside a <script type="application/json"
// id="ID"> written by Django's json_script: numbers and text translated on the server, never
// code. Every chart has its table next to it (for no-JS and screen readers; the canvas is
// aria-hidden), a CSV link served by the server and a PNG button wired here.
(function () {
  "use strict";
  var GOOD = "#1a7f37", BAD = "#cf222e", MID = "#8c959f", LINE = "#0a58ca";
  var charts = [];

  function esc(text) { return window.echarts.format.encodeHTML(String(text)); }
  function spec(el) {
    var node = document.getElementById(el.dataset.chart);
    return node ? JSON.parse(node.textContent) : null;
  }
  function bounded(axis) {
    // Fit the data (plus a margin) but never leave the metric's own scale.
    return {
      min: function (v) { var m = Math.floor((v.min - 2) / 5) * 5; return axis.min === null ? m : Math.max(axis.min, m); },
      max: function (v) { var m = Math.ceil((v.max + 2) / 5) * 5; return axis.max === null ? m : Math.min(axis.max, m); }
    };
  }

  function trend(s) {
    var lows = s.low.map(function (v, i) { return v === null ? s.value[i] : v; });
    var spans = s.high.map(function (v, i) { return (v === null ? s.value[i] : v) - lows[i]; });
    var marks = s.marks.map(function (m) {
      var at = null;
      s.x.forEach(function (x) { if (x <= m.x) { at = x; } });
      return at === null ? null : { xAxis: at, name: m.label };
    }).filter(Boolean);
    var scale = bounded(s.axis);
    return {
      grid: { left: 44, right: 16, top: 24, bottom: 32 },
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var i = items[0].dataIndex;
          var text = esc(s.x[i]) + "<br>" + esc(s.name) + ": " + s.value[i];
          if (s.low[i] !== null) { text += " [" + s.low[i] + ", " + s.high[i] + "]"; }
          return text + "<br>n = " + s.n[i];
        }
      },
      xAxis: { type: "category", data: s.x, boundaryGap: false },
      yAxis: { type: "value", min: scale.min, max: scale.max },
      series: [
        { type: "line", data: lows, stack: "band", symbol: "none", lineStyle: { opacity: 0 }, silent: true },
        { type: "line", data: spans, stack: "band", symbol: "none", lineStyle: { opacity: 0 },
          areaStyle: { color: "rgba(10, 88, 202, 0.15)" }, silent: true, name: s.band },
        { type: "line", name: s.name, symbol: "circle", symbolSize: 8, lineStyle: { color: LINE, width: 2 },
          data: s.value.map(function (v, i) {
            return s.hollow[i] ? { value: v, itemStyle: { color: "#fff", borderColor: LINE, borderWidth: 2 } }
                               : { value: v, itemStyle: { color: LINE } };
          }),
          markLine: marks.length ? { symbol: "none", lineStyle: { type: "dashed", color: "#664d03" },
                                     label: { show: false }, emphasis: { label: { show: true, formatter: "{b}" } },
                                     tooltip: { show: true, formatter: function (p) { return esc(p.name); } },
                                     data: marks } : undefined }
      ]
    };
  }

  function distribution(s) {
    var colours = { detractors: BAD, passives: MID, promoters: GOOD };
    var byScore = s.scores.map(function (score) { return score <= 6 ? BAD : (score <= 8 ? MID : GOOD); });
    return {
      tooltip: { trigger: "item" },
      legend: { top: 0, data: s.groups.map(function (g) { return g.label; }) },
      grid: [{ left: 8, right: 8, top: 32, height: 28 }, { left: 44, right: 8, top: 100, bottom: 28 }],
      xAxis: [
        { gridIndex: 0, type: "value", max: 100, show: false },
        { gridIndex: 1, type: "category", data: s.scores.map(String) }
      ],
      yAxis: [
        { gridIndex: 0, type: "category", data: [""], show: false },
        { gridIndex: 1, type: "value", name: s.count_label }
      ],
      series: s.groups.map(function (g) {
        return { type: "bar", stack: "groups", name: g.label, xAxisIndex: 0, yAxisIndex: 0,
                 itemStyle: { color: colours[g.key] }, data: [g.share],
                 label: { show: g.share >= 8, formatter: g.share + " %", color: "#fff" },
                 tooltip: { formatter: esc(g.label) + ": " + g.share + " % (n = " + g.n + ")" } };
      }).concat([{
        type: "bar", xAxisIndex: 1, yAxisIndex: 1, name: s.count_label,
        data: s.counts.map(function (n, i) { return { value: n, itemStyle: { color: byScore[i] } }; })
      }])
    };
  }

  function whiskers(s) {
    var whisker = {
      type: "custom", silent: true, z: 3,
      data: s.low.map(function (low, i) { return [low === null ? s.value[i] : low, s.high[i] === null ? s.value[i] : s.high[i], i]; }),
      encode: { x: [0, 1], y: 2 },
      renderItem: function (params, api) {
        var a = api.coord([api.value(0), api.value(2)]), b = api.coord([api.value(1), api.value(2)]);
        var h = api.size([0, 1])[1] * 0.25, style = { stroke: "#222", lineWidth: 1.5 };
        return { type: "group", children: [
          { type: "line", shape: { x1: a[0], y1: a[1], x2: b[0], y2: b[1] }, style: style },
          { type: "line", shape: { x1: a[0], y1: a[1] - h, x2: a[0], y2: a[1] + h }, style: style },
          { type: "line", shape: { x1: b[0], y1: b[1] - h, x2: b[0], y2: b[1] + h }, style: style }
        ] };
      }
    };
    return {
      grid: { left: 8, right: 16, top: 8, bottom: 24, containLabel: true },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var i = p.dataIndex, text = esc(s.labels[i]) + "<br>" + esc(s.name) + ": " + s.value[i];
          if (s.low[i] !== null) { text += " [" + s.low[i] + ", " + s.high[i] + "]"; }
          return s.n ? text + "<br>n = " + s.n[i] : text;
        }
      },
      xAxis: { type: "value", min: s.axis.min, max: s.axis.max },
      yAxis: { type: "category", data: s.labels, inverse: true,
               axisLabel: { width: 160, overflow: "truncate" } },
      series: [{
        type: "bar", name: s.name, barMaxWidth: 18,
        data: s.value.map(function (v, i) {
          return s.hollow && s.hollow[i] ? { value: v, itemStyle: { color: "#fff", borderColor: LINE, borderWidth: 1.5 } }
                                         : { value: v, itemStyle: { color: LINE } };
        })
      }, whisker]
    };
  }

  function heatmap(s) {
    return {
      grid: { left: 40, right: 8, top: 8, bottom: 64 },
      tooltip: {
        formatter: function (p) {
          var c = p.data;
          return esc(s.days[c[1]]) + " " + c[0] + ":00<br>n = " + c[3] + (c[2] === "-" ? "" : "<br>" + esc(s.name) + ": " + c[2]);
        }
      },
      xAxis: { type: "category", data: s.hours, splitArea: { show: true } },
      yAxis: { type: "category", data: s.days, inverse: true },
      visualMap: { min: s.axis.min, max: s.axis.max, calculable: false, orient: "horizontal", left: "center", bottom: 0,
                   inRange: { color: [BAD, "#f6f8fa", GOOD] }, itemHeight: 120 },
      series: [{ type: "heatmap", data: s.cells.map(function (c) {
        return [c[0], c[1], c[2] === null ? "-" : c[2], c[3]];
      }) }]
    };
  }

  var BUILD = { trend: trend, distribution: distribution, whiskers: whiskers, drivers: whiskers, heatmap: heatmap };

  function draw(root) {
    if (!window.echarts) { return; }  // the tables stay open: nothing is lost
    root.querySelectorAll(".chart[data-chart]").forEach(function (el) {
      var s = spec(el);
      if (!s || !BUILD[s.kind]) { return; }
      if (s.labels) { el.style.height = Math.max(140, s.labels.length * 30 + 48) + "px"; }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(BUILD[s.kind](s));
      charts.push(chart);
      var figure = el.closest(".card");
      if (figure) {
        var table = figure.querySelector("details.chart-table");
        if (table) { table.open = false; }
        figure.querySelectorAll("button.png[data-png='" + el.id + "']").forEach(function (button) {
          button.hidden = false;
          button.addEventListener("click", function () {
            var link = document.createElement("a");
            link.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
            link.download = (el.dataset.file || "chart") + ".png";
            document.body.appendChild(link);
            link.click();
            link.remove();
          });
        });
      }
    });
  }

  function start() {
    draw(document);
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    // The live dashboard swaps its figures in (dashboard.js): draw the new ones.
    document.addEventListener("voxloop:refreshed", function (event) {
      charts.forEach(function (c) { c.dispose(); });
      charts = [];
      draw(event.target);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else { start(); }
})();
