// objstore dashboard, fault lab: break the cluster on purpose and undo it
// (POST /api/lab/<action>; the same actions as the objstore-fault CLI).
"use strict";

function labPost(action, args) {
  return api("lab/" + action, { method: "POST",
    headers: { "Content-Type": "application/json", "Accept": "application/json" },
    body: JSON.stringify(args) });
}

function fillSelect(select, values) {
  const keep = select.value;
  select.textContent = "";
  values.forEach(v => select.appendChild(el("option", { value: v }, v)));
  if (values.includes(keep)) select.value = keep;
}

async function loadLab() {
  let doc;
  try { doc = await api("lab"); } catch (err) { $("lab-result").textContent = err.message; return; }
  $("lab-off").classList.toggle("hidden", doc.enabled);
  $("lab-on").classList.toggle("hidden", !doc.enabled);
  if (!doc.enabled) return;
  fillSelect($("lab-server"), doc.servers.map(s => s.name));
  fillSelect($("lab-device-server"), doc.servers.filter(s => s.kind === "object").map(s => s.name));
  fillSelect($("lab-daemon"), doc.daemons);
  const servers = document.querySelector("#lab-servers tbody");
  servers.textContent = "";
  doc.servers.forEach(s => {
    const row = el("tr", { class: "lab-server " + (s.pid ? "up" : "down") });
    [s.name, s.address].forEach(v => row.appendChild(el("td", {}, v)));
    row.appendChild(el("td", { class: "state" }, s.pid ? "pid " + s.pid : "stopped"));
    servers.appendChild(row);
  });
  const body = document.querySelector("#lab-faults tbody");
  body.textContent = "";
  doc.faults.forEach(f => {
    const row = el("tr", { class: "fault", "data-fault": f.id });
    [f.id, new Date(f.time * 1000).toLocaleTimeString(), f.action, f.target, f.detail]
      .forEach(v => row.appendChild(el("td", {}, v)));
    const cell = el("td");
    const undo = el("button", { type: "button", class: "undo", "data-id": f.id }, "Undo");
    undo.addEventListener("click", () => labRun("undo", { id: f.id }));
    cell.appendChild(undo);
    row.appendChild(cell);
    body.appendChild(row);
  });
  $("lab-none").classList.toggle("hidden", doc.faults.length > 0);
}

// the arguments each button's action takes, read from the lab's inputs
function labArgs(action) {
  const server = $("lab-server").value, dev = $("lab-device-server").value;
  return {
    "stop": { server: server }, "start": { server: server }, "kill-worker": { server: server },
    "corrupt": { path: $("lab-path").value, replica: $("lab-replica").value },
    "delete": { path: $("lab-path").value, replica: $("lab-replica").value },
    "unmount": { server: dev, device: $("lab-device").value },
    "fill": { server: dev, device: $("lab-device").value },
    "slow": { server: dev, device: $("lab-device").value, delay: $("lab-delay").value },
    "run": { daemon: $("lab-daemon").value, node: $("lab-node").value || null,
             partition: $("lab-partition").value || null },
    "undo": { id: "all" },
  }[action];
}

async function labRun(action, args) {
  const out = $("lab-result");
  out.className = "";
  out.textContent = action + " ...";
  try {
    const doc = await labPost(action, args || labArgs(action));
    out.textContent = (doc.id ? "fault " + doc.id + ": " : "") + doc.action + " " + doc.target +
      ": " + doc.detail;
  } catch (err) {
    out.className = "error";
    out.textContent = err.message;
  }
  await loadLab();
  if (typeof loadHealth === "function") await loadHealth();
}

function startLab() {
  document.querySelectorAll("#lab-on button[data-action]").forEach(b => {
    if (!b.dataset.bound) {
      b.dataset.bound = "1";
      b.addEventListener("click", () => labRun(b.dataset.action));
    }
  });
  loadLab();
}
