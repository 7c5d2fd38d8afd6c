// objstore dashboard, optional panels: tiering and container sync, from the
// recon of whatever tiering or sync daemon has reported (part of /api/health).
"use strict";

const PANEL_HELP = {
  tiering: "not configured: no tiering daemon has reported a pass on any node",
  sync: "not configured: no container-sync daemon has reported a pass on any node",
};

function drawPanel(name, rows) {
  const box = $("panel-" + name);
  box.textContent = "";
  if (!rows.length) {
    box.appendChild(el("p", { class: "not-configured" }, PANEL_HELP[name]));
    return;
  }
  const table = el("table", { class: "panel" });
  const head = el("tr");
  ["server", "daemon", "last pass", "took", "stats"].forEach(c => head.appendChild(el("th", {}, c)));
  table.appendChild(head);
  rows.forEach(r => {
    const row = el("tr", { class: "panel-row", "data-daemon": r.daemon });
    [r.server, r.daemon, r.last_pass ? ago(r.last_pass) : "no pass yet",
     r.pass_time === null || r.pass_time === undefined ? "" : Number(r.pass_time).toFixed(1) + " s"]
      .forEach(v => row.appendChild(el("td", {}, v)));
    const stats = el("td");
    Object.entries(r.stats || {}).forEach(([k, v]) => stats.appendChild(el("div", {}, k + ": " + v)));
    row.appendChild(stats);
    table.appendChild(row);
  });
  box.appendChild(table);
}

function drawPanels(panels) {
  Object.keys(PANEL_HELP).forEach(name => drawPanel(name, panels[name] || []));
}
