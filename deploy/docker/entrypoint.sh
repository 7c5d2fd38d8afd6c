#!/bin/sh
# The objstore image's entrypoint: the first argument picks what this
# container runs; the configs are in $OBJSTORE_ETC (default /etc/objstore).
#   setup <zone>:<ip> ...   write configs and rings for these storage nodes (once)
#   storage                 a whole storage node: rsync daemon, object/container/
#                           account servers and every daemon, supervised
#   proxy | object | container | account      one server in the foreground
#   object-replicator | container-updater | ...  one daemon (add --once for a pass)
#   ring-builder | relinker | init | recon | dispersion-report | ...  the tool
#   anything else           run as a command
set -eu
ETC="${OBJSTORE_ETC:-/etc/objstore}"
SHARE="${OBJSTORE_SHARE:-/usr/share/objstore}"
kind="${1:-help}"
[ $# -gt 0 ] && shift
case "$kind" in
  help|--help|-h)
    # the comment at the top of this file
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
    ;;
  setup)
    exec sh "$SHARE/setup-cluster.sh" "$@"
    ;;
  storage)
    mkdir -p /srv/node/d1 /var/run/objstore /var/cache/objstore /var/log/objstore
    rm -f /var/run/objstore/rsyncd.pid
    rsync --daemon --config="$ETC/rsyncd.conf"
    # each process's output in /var/log/objstore/<name>.log
    exec objstore-init start object container account rest --swift-dir "$ETC" \
      --run-dir /var/run/objstore --log-dir /var/log/objstore --watch
    ;;
  proxy|object|container|account)
    exec "objstore-$kind-server" "$ETC/$kind-server.conf" "$@"
    ;;
  *-replicator|*-auditor|*-updater|*-reaper|*-expirer|*-reconstructor)
    exec "objstore-$kind" "$ETC/${kind%%-*}-server.conf" "$@"
    ;;
  ring-builder|relinker|init|recon|get-nodes|dispersion-populate|dispersion-report|dashboard)
    exec "objstore-$kind" "$@"
    ;;
  *)
    exec "$kind" "$@"
    ;;
esac
