/* Live monitor of a round (templates/results/monitor.html): polls the JSON endpoint in
   [data-monitor-url] and redraws the counts, the answers-per-minute SVG bars and the
   per-league table. No globals, no inline style (bars are SVG attributes). */
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";

  function start() {
    var root = document.querySelector("[data-monitor-url]");
    if (!root) {
      return;
    }
    var url = root.getAttribute("data-monitor-url");
    var interval = parseInt(root.getAttribute("data-monitor-interval-ms") || "5000", 10);
    var etag = null;
    var timer = null;

    function setText(field, value) {
      root.querySelectorAll('[data-monitor="' + field + '"]').forEach(function (el) {
        el.textContent = String(value);
      });
    }

    function drawChart(points) {
      var svg = root.querySelector("svg.monitor-chart");
      if (!svg) {
        return;
      }
      var top = 1;
      points.forEach(function (p) { top = Math.max(top, p.count); });
      svg.querySelectorAll("rect").forEach(function (r) { r.remove(); });
      var label = svg.querySelector("text");
      points.forEach(function (p, i) {
        var h = Math.round((p.count * 90 / top) * 10) / 10;
        var rect = document.createElementNS(SVG_NS, "rect");
        rect.setAttribute("x", String(i * 10 + 1));
        rect.setAttribute("y", String(95 - h));
        rect.setAttribute("width", "8");
        rect.setAttribute("height", String(h));
        var title = document.createElementNS(SVG_NS, "title");
        title.textContent = p.label + ": " + p.count;
        rect.appendChild(title);
        svg.insertBefore(rect, label);
      });
      var first = svg.querySelector("[data-chart-first]");
      var last = svg.querySelector("[data-chart-last]");
      if (first && points.length) { first.textContent = points[0].label; }
      if (last && points.length) { last.textContent = points[points.length - 1].label; }
      setText("per_minute_max", points.reduce(function (m, p) { return Math.max(m, p.count); }, 0));
    }

    function drawLeagues(leagues) {
      leagues.forEach(function (lg) {
        var row = root.querySelector('tr[data-league-id="' + lg.league_id + '"]');
        if (!row) {
          return;
        }
        ["enrolled", "started", "finished"].forEach(function (field) {
          var cell = row.querySelector('[data-field="' + field + '"]');
          if (cell) { cell.textContent = String(lg[field]); }
        });
        var bar = row.querySelector("progress");
        if (bar) {
          bar.max = Math.max(1, lg.enrolled);
          bar.value = lg.finished;
          bar.textContent = lg.finished + " / " + lg.enrolled;
        }
      });
    }

    function schedule(ms) {
      clearTimeout(timer);
      if (!document.hidden) {
        timer = setTimeout(poll, ms);
      }
    }

    function poll() {
      var headers = { Accept: "application/json" };
      if (etag) { headers["If-None-Match"] = etag; }
      fetch(url, { credentials: "same-origin", headers: headers })
        .then(function (response) {
          if (response.status === 304) {
            return null;
          }
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          etag = response.headers.get("ETag");
          return response.json();
        })
        .then(function (data) {
          if (data) {
            ["active_now", "enrolled", "started", "finished", "in_progress"].forEach(function (f) {
              setText(f, data[f]);
            });
            drawChart(data.answers_per_minute || []);
            drawLeagues(data.leagues || []);
          }
          schedule(interval);
        })
        .catch(function () {
          schedule(Math.max(interval, 10000));
        });
    }

    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) {
        poll();
      } else {
        clearTimeout(timer);
      }
    });
    schedule(interval);
  }

  document.addEventListener("DOMContentLoaded", start);
})();
