// objstore dashboard, optional panels: tiering (objects per tier, moves, the
// last moves) and container sync (rows behind, last success per container),
// from the recon of those daemons (part of /api/health).
"use strict";

const PANEL_HELP = {
  tiering: "not configured: no tierer has reported a pass on any node (docs/tiering.md)",
  sync: "not configured: no container-sync daemon has reported on any node",
};

function table(cls, columns, rows) {
  const t = el("table", { class: cls });
  const head = el("tr");
  columns.forEach(c => head.appendChild(el("th", {}, c)));
  t.appendChild(head);
  rows.forEach(cells => {
    const row = el("tr", { class: cls + "-row" });
    cells.forEach(v => row.appendChild(el("td", {}, v === null || v === undefined ? "" : v)));
    t.appendChild(row);
  });
  return t;
}

function counts(obj) {
  const entries = Object.entries(obj || {});
  return entries.length ? entries.map(([k, v]) => k + " " + v).join(", ") : "none";
}

function drawTiering(box, parts) {
  parts.forEach(p => {
    box.appendChild(el("p", { class: "tier-summary" }, "tierer beside " + p.server +
      ": last pass " + ago(p.last_pass) + "; objects per tier: " + counts(p.objects_per_tier) +
      "; moves: " + counts(p.moves)));
    if (p.recent_moves.length) {
      box.appendChild(table("moves", ["object", "from", "to", "state", "why", "finished"],
        p.recent_moves.map(m => [m.path, m.from_tier, m.to_tier, m.state, m.reason,
          m.finished ? ago(m.finished) : ""])));
    }
  });
}

function drawSync(box, parts) {
  const rows = [];
  parts.forEach(p => {
    box.appendChild(el("p", { class: "sync-summary" }, p.server + ": last pass " +
      ago(p.last_pass) + (p.containers_total > p.containers.length ?
        " (" + p.containers.length + " of " + p.containers_total + " containers shown)" : "")));
    p.containers.forEach(c => rows.push([p.server, c.container, c.sync_to, c.rows_behind,
      c.last_success ? ago(c.last_success) : "never", c.last_error || ""]));
  });
  if (rows.length) {
    box.appendChild(table("sync", ["server", "container", "syncs to", "rows behind",
      "last success", "last error"], rows));
  }
}

function drawPanels(panels) {
  [["tiering", drawTiering], ["sync", drawSync]].forEach(([name, draw]) => {
    const box = $("panel-" + name);
    box.textContent = "";
    const parts = panels[name] || [];
    if (!parts.length) box.appendChild(el("p", { class: "not-configured" }, PANEL_HELP[name]));
    else draw(box, parts);
  });
}
