# Shared settings and helpers for the saio/* scripts (sourced, not run).
# The whole cluster lives under $SAIO_DIR (default: <repo>/.saio): configs,
# rings, four "nodes" worth of devices, logs and pid files.

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SAIO_DIR="${SAIO_DIR:-$REPO/.saio}"
ETC="$SAIO_DIR/etc"
RUN="$SAIO_DIR/run"
LOG="$SAIO_DIR/log"
SRV="$SAIO_DIR/srv"
VENV="${OBJSTORE_VENV:-$REPO/.venv}"
PY="$VENV/bin/python"
NODES="1 2 3 4"
PROXY_PORT="${SAIO_PROXY_PORT:-8080}"
MEMCACHED_PORT="${SAIO_MEMCACHED_PORT:-11211}"
RSYNC_PORT="${SAIO_RSYNC_PORT:-8873}"

# Storage ports: node N serves object/container/account on BASE+N*10+0/1/2
# (6210, 6211, 6212 for node 1). SAIO_PORT_BASE moves a second cluster aside.
PORT_BASE="${SAIO_PORT_BASE:-6200}"
obj_port() { echo $((PORT_BASE + $1 * 10)); }
cont_port() { echo $((PORT_BASE + 1 + $1 * 10)); }
acct_port() { echo $((PORT_BASE + 2 + $1 * 10)); }
# Container sync (docs/container-sync.md): this cluster is "east" of realm
# "saio", unless saio/remote runs it as "west", the second cluster (its own
# SAIO_DIR and ports). Each lists the other in container-sync-realms.conf;
# both share the realm key kept in the east cluster's directory.
# A peer port not given keeps the one the realm file already names (so a
# plain saio/start does not forget where west is), else the default.
SAIO_CLUSTER="${SAIO_CLUSTER:-east}"
if [ "$SAIO_CLUSTER" = east ]; then
  SYNC_PEER="${SAIO2_PROXY_PORT:+west=http://127.0.0.1:$SAIO2_PROXY_PORT/v1/}"
  SYNC_PEER_DEFAULT="west=http://127.0.0.1:8081/v1/"
  SYNC_KEY_FILE="$SAIO_DIR/sync-realm.key"
else
  SYNC_PEER="east=http://127.0.0.1:${SAIO_EAST_PROXY_PORT:-8080}/v1/"
  SYNC_PEER_DEFAULT="$SYNC_PEER"
  SYNC_KEY_FILE="${SAIO_EAST_DIR:-$REPO/.saio}/sync-realm.key"
fi
# The study dashboard: 8090, or BASE+90 for a cluster moved by SAIO_PORT_BASE
# (so two clusters' dashboards never fight over one port).
if [ "$PORT_BASE" = 6200 ]; then DASHBOARD_PORT="${SAIO_DASHBOARD_PORT:-8090}"
else DASHBOARD_PORT="${SAIO_DASHBOARD_PORT:-$((PORT_BASE + 90))}"; fi

# pid_alive PIDFILE: the process runs and is not a zombie (a killed server
# whose parent never reaps it must count as dead, or it is never restarted).
pid_alive() {
  local pid state
  [ -f "$1" ] || return 1
  pid=$(cat "$1")
  kill -0 "$pid" 2>/dev/null || return 1
  state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
  [ -n "$state" ] && [ "$state" != "Z" ]
}

# http_ok URL: true when URL answers 200 (curl when there is one: a Python
# start per check made a saio/start of a running cluster cost seconds).
http_ok() {
  if command -v curl >/dev/null 2>&1; then
    [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" 2>/dev/null)" = 200 ]
    return
  fi
  "$PY" - "$1" <<'PYEOF' 2>/dev/null
import sys, urllib.request
try:
    sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=2).status == 200 else 1)
except Exception:
    sys.exit(1)
PYEOF
}

# launch_server NAME CONF CMD: start one server in the background as the
# cluster runs it (its workers, its log, its pid file).
launch_server() {
  nohup "$VENV/bin/$3" "$2" >>"$LOG/$1.log" 2>&1 &
  echo $! > "$RUN/$1.pid"
}

# every_server CALLBACK: calls CALLBACK name conf port for each server.
every_server() {
  local n
  for n in $NODES; do
    "$1" "object-$n" "$ETC/object-server/$n.conf" "$(obj_port "$n")" objstore-object-server
    "$1" "container-$n" "$ETC/container-server/$n.conf" "$(cont_port "$n")" objstore-container-server
    "$1" "account-$n" "$ETC/account-server/$n.conf" "$(acct_port "$n")" objstore-account-server
  done
  "$1" proxy "$ETC/proxy-server.conf" "$PROXY_PORT" objstore-proxy-server
}
