extension LivePage {
    /// A small canvas line chart: one line per series, autoscaled axes, time labels. Own code
    /// instead of a charting library because the page may load nothing from elsewhere.
    /// `StrataChart.draw(canvas, series)` takes `[{label, times: BigInt ns[], values: number[]}]`.
    static let chartScript = #"""
        "use strict";
        const StrataChart = (() => {
          // Colour-blind-safe palette (Okabe–Ito), in the order lines get them.
          const COLORS = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000"];
          const MARGIN = { left: 64, right: 16, top: 14, bottom: 30 };
          // Candidate spacings for time labels, in ms: the first that keeps labels ~90 px apart wins.
          const TIME_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5,
            9e5, 18e5, 36e5, 72e5, 108e5, 216e5, 432e5, 864e5, 1728e5, 6048e5];
          const LABEL_GAP_PX = 90;
          // Dots only while they are this far apart on average; denser, they hide the line.
          const DOT_GAP_PX = 8;

          function niceStep(span, count) {
            const raw = span / Math.max(1, count);
            const power = Math.pow(10, Math.floor(Math.log10(raw)));
            const unit = raw / power;
            return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
          }

          function pad(n, width) { return String(n).padStart(width || 2, "0"); }

          function timeLabel(ms, step, spanMs) {
            const d = new Date(ms);
            let text = pad(d.getHours()) + ":" + pad(d.getMinutes());
            if (step < 6e4) text += ":" + pad(d.getSeconds());
            if (step < 1e3) text += "." + pad(d.getMilliseconds(), 3);
            if (spanMs >= 864e5) text = (d.getMonth() + 1) + "/" + d.getDate() + " " + text;
            return text;
          }

          function valueLabel(v, step) {
            if (v === 0) return "0";
            const digits = Math.max(0, Math.min(9, -Math.floor(Math.log10(step))));
            const a = Math.abs(v);
            return a >= 1e7 || a < 1e-6 ? v.toExponential(2) : v.toFixed(digits);
          }

          function extent(series) {
            let t0 = Infinity, t1 = -Infinity, v0 = Infinity, v1 = -Infinity, count = 0;
            for (const s of series) {
              const n = s.times.length;
              if (n === 0) continue;
              t0 = Math.min(t0, Number(s.times[0]) / 1e6);
              t1 = Math.max(t1, Number(s.times[n - 1]) / 1e6);
              for (const v of s.values) { if (v < v0) v0 = v; if (v > v1) v1 = v; }
              count += n;
            }
            if (count === 0) return null;
            if (t1 === t0) { t0 -= 500; t1 += 500; }
            if (v1 === v0) { const d = Math.abs(v0) * 0.05 || 1; v0 -= d; v1 += d; }
            const padV = (v1 - v0) * 0.05;
            return { t0, t1, v0: v0 - padV, v1: v1 + padV, count };
          }

          function prepare(canvas) {
            const dpr = window.devicePixelRatio || 1;
            const w = Math.max(1, canvas.clientWidth), h = Math.max(1, canvas.clientHeight);
            if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
              canvas.width = Math.round(w * dpr);
              canvas.height = Math.round(h * dpr);
            }
            const ctx = canvas.getContext("2d");
            ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
            ctx.clearRect(0, 0, w, h);
            const style = getComputedStyle(document.documentElement);
            return { ctx, w, h, fg: style.getPropertyValue("--muted").trim() || "#666",
                     grid: style.getPropertyValue("--line").trim() || "#ddd" };
          }

          function drawAxes(g, box, e) {
            const { ctx } = g;
            ctx.font = "11px system-ui, sans-serif";
            ctx.fillStyle = g.fg;
            ctx.strokeStyle = g.grid;
            ctx.lineWidth = 1;
            const vStep = niceStep(e.v1 - e.v0, Math.max(2, Math.floor(box.h / 50)));
            ctx.textAlign = "right"; ctx.textBaseline = "middle";
            for (let v = Math.ceil(e.v0 / vStep) * vStep; v <= e.v1; v += vStep) {
              const y = Math.round(box.y(v)) + 0.5;
              ctx.beginPath(); ctx.moveTo(MARGIN.left, y); ctx.lineTo(g.w - MARGIN.right, y); ctx.stroke();
              ctx.fillText(valueLabel(v, vStep), MARGIN.left - 6, y);
            }
            const span = e.t1 - e.t0;
            const tStep = TIME_STEPS.find(s => s / span * box.w >= LABEL_GAP_PX) || TIME_STEPS[TIME_STEPS.length - 1];
            ctx.textAlign = "center"; ctx.textBaseline = "top";
            // Steps of a day or more start at local midnight so labels fall on whole days.
            const offset = tStep >= 864e5 ? new Date(e.t0).getTimezoneOffset() * 6e4 : 0;
            for (let t = Math.ceil((e.t0 - offset) / tStep) * tStep + offset; t <= e.t1; t += tStep) {
              const x = Math.round(box.x(t)) + 0.5;
              ctx.beginPath(); ctx.moveTo(x, MARGIN.top); ctx.lineTo(x, g.h - MARGIN.bottom); ctx.stroke();
              ctx.fillText(timeLabel(t, tStep, span), x, g.h - MARGIN.bottom + 6);
            }
          }

          function drawLine(g, box, s, color) {
            const { ctx } = g;
            ctx.strokeStyle = color; ctx.fillStyle = color; ctx.lineWidth = 1.5;
            const n = s.times.length;
            if (n === 1) {
              ctx.beginPath(); ctx.arc(box.x(Number(s.times[0]) / 1e6), box.y(s.values[0]), 3, 0, 2 * Math.PI); ctx.fill();
              return;
            }
            ctx.beginPath();
            for (let i = 0; i < n; i++) {
              const x = box.x(Number(s.times[i]) / 1e6), y = box.y(s.values[i]);
              if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
            }
            ctx.stroke();
            // Sparse points get a dot each, so a single late point is visible on a long line.
            if (n * DOT_GAP_PX <= box.w) {
              for (let i = 0; i < n; i++) {
                ctx.beginPath(); ctx.arc(box.x(Number(s.times[i]) / 1e6), box.y(s.values[i]), 2, 0, 2 * Math.PI); ctx.fill();
              }
            }
          }

          function drawLegend(g, series) {
            const { ctx } = g;
            ctx.textAlign = "left"; ctx.textBaseline = "top"; ctx.font = "11px system-ui, sans-serif";
            series.forEach((s, i) => {
              ctx.fillStyle = COLORS[i % COLORS.length];
              ctx.fillText("■ " + s.label, MARGIN.left + 8, MARGIN.top + 4 + i * 14);
            });
          }

          function draw(canvas, series) {
            const g = prepare(canvas);
            const e = extent(series);
            if (!e) {
              g.ctx.fillStyle = g.fg; g.ctx.font = "13px system-ui, sans-serif";
              g.ctx.textAlign = "center"; g.ctx.textBaseline = "middle";
              g.ctx.fillText("no points yet", g.w / 2, g.h / 2);
              return;
            }
            const w = g.w - MARGIN.left - MARGIN.right, h = g.h - MARGIN.top - MARGIN.bottom;
            const box = { w, h,
              x: t => MARGIN.left + (t - e.t0) / (e.t1 - e.t0) * w,
              y: v => MARGIN.top + (1 - (v - e.v0) / (e.v1 - e.v0)) * h };
            drawAxes(g, box, e);
            g.ctx.save();
            g.ctx.beginPath(); g.ctx.rect(MARGIN.left, MARGIN.top, w, h); g.ctx.clip();
            series.forEach((s, i) => { if (s.times.length) drawLine(g, box, s, COLORS[i % COLORS.length]); });
            g.ctx.restore();
            if (series.length > 1) drawLegend(g, series);
          }

          return { draw };
        })();
        """#
}
