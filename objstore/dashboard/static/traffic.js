// objstore dashboard, traffic view: requests/s and bytes/s per verb and status
// (the proxies' StatsD metrics, /api/traffic), drawn on two canvases.
"use strict";

const TRAFFIC_POLL_MS = 5000;
const TRAFFIC_SECONDS = 300;
const TRAFFIC_STEP = 5;  // seconds per point: per-second counts are too jumpy to read
const COLORS = ["#3b73b9", "#e07b00", "#11772d", "#b00020", "#7b3bb9", "#00838f",
  "#8d6e63", "#c2185b", "#546e7a", "#9e9d24"];
let trafficTimer = null;

// per-second counts -> per-second rates averaged over TRAFFIC_STEP seconds
function stepRates(values) {
  const out = [];
  for (let i = 0; i + TRAFFIC_STEP <= values.length; i += TRAFFIC_STEP) {
    let sum = 0;
    for (let j = i; j < i + TRAFFIC_STEP; j++) sum += values[j];
    out.push(sum / TRAFFIC_STEP);
  }
  return out;
}

function drawChart(canvas, names, rows, unit, format) {
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height, left = 70, bottom = 22, top = 10;
  ctx.clearRect(0, 0, w, h);
  const points = rows.length ? rows[0].length : 0;
  const max = Math.max(1e-9, ...rows.map(r => Math.max(0, ...r)));
  ctx.strokeStyle = "#ccc";
  ctx.fillStyle = "#555";
  ctx.font = "11px system-ui, sans-serif";
  for (let k = 0; k <= 4; k++) {
    const y = top + (h - top - bottom) * (1 - k / 4);
    ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(w - 5, y); ctx.stroke();
    ctx.fillText(format(max * k / 4) + unit, 2, y + 4);
  }
  ctx.fillText("-" + TRAFFIC_SECONDS / 60 + " min", left, h - 6);
  ctx.fillText("now", w - 30, h - 6);
  rows.forEach((row, i) => {
    ctx.strokeStyle = COLORS[i % COLORS.length];
    ctx.lineWidth = 2;
    ctx.beginPath();
    row.forEach((v, x) => {
      const px = left + (w - 5 - left) * (points > 1 ? x / (points - 1) : 0);
      const py = top + (h - top - bottom) * (1 - v / max);
      if (x === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
    });
    ctx.stroke();
  });
  canvas.setAttribute("aria-label", unit + " per verb and status: " + names.join(", "));
}

function number(n) { return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2); }

async function loadTraffic() {
  let doc;
  try { doc = await api("traffic?seconds=" + TRAFFIC_SECONDS); $("traffic-error").textContent = ""; }
  catch (err) { $("traffic-error").textContent = err.message; return; }
  const names = Object.keys(doc.series).sort();
  if (!doc.listening) {
    $("traffic-note").textContent = "not receiving: set statsd_port in [dashboard] and point the " +
      "proxies' log_statsd_host/log_statsd_port at it";
  } else {
    $("traffic-note").textContent = "StatsD on UDP port " + doc.statsd_port + ", " + doc.received +
      " metrics received; last " + doc.seconds / 60 + " min, " + TRAFFIC_STEP + " s steps";
  }
  drawChart($("traffic-requests"), names, names.map(n => stepRates(doc.series[n].requests)), " req/s", number);
  drawChart($("traffic-bytes"), names, names.map(n => stepRates(doc.series[n].bytes)), "/s", bytes);
  const body = document.querySelector("#traffic-table tbody");
  body.textContent = "";
  names.forEach((name, i) => {
    const s = doc.series[name];
    const total = a => a.reduce((x, y) => x + y, 0);
    const row = el("tr", { class: "series", "data-series": name });
    const swatch = el("span", { class: "swatch" });
    swatch.style.background = COLORS[i % COLORS.length];
    const cell = el("td");
    cell.appendChild(swatch);
    cell.appendChild(document.createTextNode(" " + name));
    row.appendChild(cell);
    row.appendChild(el("td", {}, Math.round(total(s.requests))));
    row.appendChild(el("td", {}, bytes(total(s.bytes))));
    body.appendChild(row);
  });
}

function startTraffic() {
  loadTraffic();
  if (!trafficTimer) trafficTimer = setInterval(loadTraffic, TRAFFIC_POLL_MS);
}

function stopTraffic() {
  if (trafficTimer) { clearInterval(trafficTimer); trafficTimer = null; }
}
