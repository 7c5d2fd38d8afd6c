// objstore dashboard: plain JS, no libraries. Talks only to this server's /api/.
"use strict";

const HEALTH_POLL_MS = 5000;
const SVG = "http://www.w3.org/2000/svg";
let ringData = [];
let healthTimer = null;

function $(id) { return document.getElementById(id); }

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function svgEl(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

// Every call to this server: its JSON answer, or an Error whose message the
// page shows as it is (the dashboard not answering included).
async function ask(url, init) {
  let resp;
  try {
    resp = await fetch(url, Object.assign({ credentials: "same-origin" }, init || {}));
  } catch (e) {
    throw new Error("the dashboard at " + location.origin + " does not answer; " +
      "is objstore-dashboard running?");
  }
  let doc = null;
  try { doc = await resp.json(); } catch (e) {
    doc = { error: "bad answer from the dashboard (HTTP " + resp.status + ")" };
  }
  return { resp: resp, doc: doc };
}

async function api(path, init) {
  const { resp, doc } = await ask("/api/" + path, init);
  if (resp.status === 401) { showLogin(doc.error); throw new Error(doc.error); }
  if (!resp.ok) throw new Error(doc.error || ("HTTP " + resp.status));
  return doc;
}

function showLogin(message) {
  if (healthTimer) { clearInterval(healthTimer); healthTimer = null; }
  stopTraffic();
  $("views").classList.add("hidden");
  $("logout").classList.add("hidden");
  $("login").classList.remove("hidden");
  $("login-next").value = location.hash;
  $("who").textContent = "";
  $("login-error").textContent = message || "";
}

async function showViews(user) {
  $("login").classList.add("hidden");
  $("views").classList.remove("hidden");
  $("logout").classList.remove("hidden");
  $("who").textContent = "logged in as " + user;
  await loadRings();
  await loadHealth();
  if (!healthTimer) healthTimer = setInterval(loadHealth, HEALTH_POLL_MS);
  startTraffic();
  startLab();
}

// ------------------------------------------------------------------ rings
async function loadRings() {
  ringData = await api("rings");
  const select = $("ring-select");
  select.textContent = "";
  ringData.forEach((r, i) => {
    const label = r.policy === null ? r.ring + " ring"
      : r.ring + " ring (policy " + r.policy + " " + r.policy_name + ")";
    select.appendChild(el("option", { value: String(i) }, label));
  });
  drawRing(ringData[0]);
}

function drawRing(ring) {
  const chart = $("ring-chart");
  chart.textContent = "";
  const body = document.querySelector("#ring-devices tbody");
  body.textContent = "";
  if (!ring) return;
  if (ring.error) { $("ring-stats").textContent = ring.error; return; }
  $("ring-stats").textContent = ring.partitions + " partitions (part power " + ring.part_power +
    "), " + ring.replicas + " replicas, balance " + ring.balance + "%, dispersion " +
    ring.dispersion + "%";
  const devs = ring.devices;
  const barW = 48, gap = 24, height = 220, top = 20, bottom = 40;
  const width = Math.max(300, devs.length * (barW + gap) + gap);
  const max = Math.max(1, ...devs.map(d => Math.max(d.parts, d.parts_wanted)));
  const scale = (height - top - bottom) / max;
  const svg = svgEl("svg", { width: width, height: height, role: "img",
    "aria-label": "partitions per device of the " + ring.ring + " ring" });
  devs.forEach((d, i) => {
    const x = gap + i * (barW + gap);
    const h = d.parts * scale;
    const bar = svgEl("rect", { class: "bar", x: x, y: height - bottom - h, width: barW,
      height: h, "data-device": d.ip + ":" + d.port + "/" + d.device });
    const tip = svgEl("title", {});
    tip.textContent = d.device + ": " + d.parts + " held, " + d.parts_wanted + " fair share";
    bar.appendChild(tip);
    svg.appendChild(bar);
    const wy = height - bottom - d.parts_wanted * scale;
    svg.appendChild(svgEl("line", { class: "want", x1: x - 4, x2: x + barW + 4, y1: wy, y2: wy }));
    const count = svgEl("text", { x: x + barW / 2, y: height - bottom - h - 4, "text-anchor": "middle" });
    count.textContent = d.parts;
    svg.appendChild(count);
    const name = svgEl("text", { x: x + barW / 2, y: height - bottom + 16, "text-anchor": "middle" });
    name.textContent = d.device;
    svg.appendChild(name);
    const zone = svgEl("text", { x: x + barW / 2, y: height - bottom + 32, "text-anchor": "middle" });
    zone.textContent = "r" + d.region + "z" + d.zone;
    svg.appendChild(zone);
    const row = el("tr");
    [d.id, "r" + d.region + "z" + d.zone, d.ip + ":" + d.port, d.device, d.weight, d.parts,
     d.parts_wanted, d.balance].forEach(v => row.appendChild(el("td", {}, v)));
    body.appendChild(row);
  });
  chart.appendChild(svg);
  $("part-result").textContent = "";
  $("dryrun-result").textContent = "";
}

function nodeTable(nodes, withCopies) {
  const table = el("table", { class: "nodes" });
  const head = el("tr");
  const cols = ["role", "replica", "server", "device", "zone"];
  if (withCopies) cols.push("state", "HTTP", "timestamp", "ETag", "fragment");
  cols.forEach(c => head.appendChild(el("th", {}, c)));
  table.appendChild(head);
  nodes.forEach(n => {
    const row = el("tr", { class: withCopies ? n.state : n.role });
    const cells = [n.role, n.index === null || n.index === undefined ? "" : n.index,
      n.ip + ":" + n.port, n.device, "r" + n.region + "z" + n.zone];
    cells.forEach(v => row.appendChild(el("td", {}, v)));
    if (withCopies) {
      row.appendChild(el("td", { class: "state" }, n.state));
      [n.status || n.error || "", n.timestamp || "", n.etag || "", n.frag_index === null ? "" : n.frag_index]
        .forEach(v => row.appendChild(el("td", {}, v)));
    }
    table.appendChild(row);
  });
  return table;
}

async function lookupPartition(event) {
  event.preventDefault();
  const out = $("part-result");
  out.textContent = "";
  const ring = ringData[Number($("ring-select").value)];
  try {
    const doc = await api("partition?ring=" + encodeURIComponent(ring.ring) +
      "&part=" + encodeURIComponent($("part-input").value));
    out.appendChild(el("p", {}, "partition " + doc.partition + " of the " + ring.ring + " ring"));
    out.appendChild(nodeTable(doc.nodes, false));
  } catch (err) { out.appendChild(el("p", { class: "error" }, err.message)); }
}

async function dryRun(event) {
  event.preventDefault();
  const out = $("dryrun-result");
  out.textContent = "";
  const ring = ringData[Number($("ring-select").value)];
  try {
    const doc = await api("rebalance?ring=" + encodeURIComponent(ring.ring) +
      "&dev=" + encodeURIComponent($("dryrun-dev").value) +
      "&weight=" + encodeURIComponent($("dryrun-weight").value));
    out.appendChild(el("p", {}, "with device " + doc.device + " at weight " + doc.weight + ", a rebalance of the " +
      doc.ring + " ring would move " + doc.moved_replicas + " partition-replicas (" + doc.moved_partitions +
      " partitions); balance " + doc.balance + "%, dispersion " + doc.dispersion + "%. Nothing was changed."));
    const table = el("table", { class: "dryrun" });
    const head = el("tr");
    ["id", "device", "weight", "partitions now", "after", "fair share after"].forEach(c => head.appendChild(el("th", {}, c)));
    table.appendChild(head);
    doc.devices.forEach(d => {
      const row = el("tr");
      [d.id, d.ip + ":" + d.port + "/" + d.device, d.weight, d.parts_before, d.parts, d.parts_wanted]
        .forEach(v => row.appendChild(el("td", {}, v)));
      table.appendChild(row);
    });
    out.appendChild(table);
  } catch (err) { out.appendChild(el("p", { class: "error" }, err.message)); }
}

// ----------------------------------------------------------------- health
function bytes(n) {
  if (n === null || n === undefined) return "?";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return n.toFixed(i ? 1 : 0) + " " + units[i];
}

function ago(ts) {
  if (!ts) return "never";
  const s = Math.max(0, Math.round(Date.now() / 1000 - ts));
  return s < 120 ? s + " s ago" : Math.round(s / 60) + " min ago";
}

// the stats of a daemon's last pass shown in the health table when not 0
// (the damage a pass found or repaired); every stat is in the tooltip
const KEY_STATS = { replication: ["files_pushed", "suffixes_synced", "failure"],
  auditor: ["quarantined", "errors"], expirer: ["objects", "errors"],
  reconstruction: ["rebuilt", "reverted", "failures"] };

function statsText(stats, keys) {
  return Object.entries(stats || {}).filter(([k, v]) => !keys || (keys.includes(k) && v))
    .map(([k, v]) => k + " " + v).join(", ");
}

// "12 s ago (0.4 s): quarantined 1" for a daemon's last pass;
// "" where the server runs no such daemon; every stat in the tooltip
function passCell(server, daemon) {
  if (!(daemon in server)) return el("td", {}, "");
  const pass = server[daemon], running = (server.running || {})[daemon];
  // a pass under way first: "running 40 s: checked 1200", from its progress record
  const now = running ? "running " + ago(running.started).replace(" ago", "") + ": " +
    (statsText(running.stats, KEY_STATS[daemon].concat(["checked", "partitions", "attempted", "due"])) ||
     "started") + "; last " : "";
  if (!pass) return el("td", { class: "pass" }, now + "no pass yet");
  const text = ago(pass.last_pass) +
    (pass.pass_time ? " (" + Number(pass.pass_time).toFixed(1) + " s)" : "");
  const key = statsText(pass.stats, KEY_STATS[daemon]);
  return el("td", { class: running ? "pass running" : "pass", "data-daemon": daemon,
    title: statsText(pass.stats) }, now + (key ? text + ": " + key : text));
}

async function loadHealth() {
  let doc;
  try { doc = await api("health"); $("health-error").textContent = ""; }
  catch (err) { $("health-error").textContent = err.message; return; }
  const body = document.querySelector("#health-table tbody");
  body.textContent = "";
  doc.servers.forEach(s => {
    const row = el("tr", { class: "server " + (s.up ? "up" : "down") });
    const devs = (s.devices || []).map(d => d.device + " " + bytes(d.used) + " / " + bytes(d.size)).join(", ");
    row.appendChild(el("td", {}, s.kind));
    row.appendChild(el("td", {}, s.ip + ":" + s.port));
    row.appendChild(el("td", { class: "state", title: s.error || "" }, s.up ? "up" : "down"));
    [s.ms === null ? "" : s.ms, devs, s.async_pending === undefined ? "" : s.async_pending,
     s.quarantined === undefined ? "" : s.quarantined]
      .forEach(v => row.appendChild(el("td", {}, v)));
    ["replication", "auditor", "expirer", "reconstruction"]
      .forEach(d => row.appendChild(passCell(s, d)));
    body.appendChild(row);
  });
  drawPanels(doc.panels || {});
  $("health-time").textContent = "measured " + new Date(doc.time * 1000).toLocaleTimeString() +
    ", every " + HEALTH_POLL_MS / 1000 + " s";
}

// ----------------------------------------------------------------- lookup
async function lookupObject(event) {
  if (event) event.preventDefault();
  const out = $("lookup-result");
  out.textContent = "";
  try {
    const doc = await api("lookup?path=" + encodeURIComponent($("lookup-path").value));
    out.appendChild(el("p", {}, "/" + doc.account + "/" + doc.container + "/" + doc.object +
      ": policy " + doc.policy + " (" + doc.policy_name + "), " + doc.ring + " ring, partition " +
      doc.partition + ", hash " + doc.hash));
    out.appendChild(nodeTable(doc.nodes, true));
  } catch (err) { out.appendChild(el("p", { class: "error" }, err.message)); }
}

// a link such as /#lookup=/AUTH_test/c/o opens with that lookup done
async function lookupFromLink() {
  if (!location.hash.startsWith("#lookup=")) return;
  $("lookup-path").value = decodeURIComponent(location.hash.slice(8));
  await lookupObject(null);
}

// ------------------------------------------------------------------ login
async function login(event) {
  event.preventDefault();
  const form = new URLSearchParams();
  form.set("user", $("login-user").value);
  form.set("key", $("login-key").value);
  let answer;
  try {
    answer = await ask("/login", { method: "POST", body: form,
      headers: { "Accept": "application/json" } });
  } catch (err) { showLogin(err.message); return; }
  const { resp, doc } = answer;
  if (!resp.ok) { showLogin(doc.error || ("HTTP " + resp.status)); return; }
  $("login-key").value = "";
  await showViews(doc.user);
  await lookupFromLink();
}

async function logout() {
  try { await ask("/logout", { method: "POST" }); } catch (err) { showLogin(err.message); return; }
  showLogin("logged out");
}

async function start() {
  $("login-form").addEventListener("submit", login);
  $("logout").addEventListener("click", logout);
  $("ring-select").addEventListener("change", () => drawRing(ringData[Number($("ring-select").value)]));
  $("part-form").addEventListener("submit", lookupPartition);
  $("dryrun-form").addEventListener("submit", dryRun);
  $("lookup-form").addEventListener("submit", lookupObject);
  try {
    const me = await api("session");
    await showViews(me.user);
    await lookupFromLink();
  } catch (err) {
    if (location.hash === "#login-failed") showLogin("wrong user or key, or not an admin");
  }
}

document.addEventListener("DOMContentLoaded", start);
