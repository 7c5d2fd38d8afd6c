#!/bin/sh
# Write a small cluster's configs and rings into $OBJSTORE_ETC, once:
#   setup-cluster.sh <zone>:<ip> [<zone>:<ip> ...]
# One device (d1) per storage node, 3 replicas (fewer with fewer nodes),
# part power 10, every node in region 1. Configs start from the samples in
# $OBJSTORE_SHARE/etc (every option at its default) with what a container
# needs changed: listen on every address, no mount check (the devices are
# volumes), the proxy's memcached at $OBJSTORE_MEMCACHED. A second run
# keeps the hash prefix/suffix and the rings (stored data depends on them).
set -eu
ETC="${OBJSTORE_ETC:-/etc/objstore}"
SAMPLES="${OBJSTORE_SHARE:-/usr/share/objstore}/etc"
MEMCACHED="${OBJSTORE_MEMCACHED:-memcached:11211}"
PART_POWER="${OBJSTORE_PART_POWER:-10}"
[ $# -gt 0 ] || { echo "usage: setup-cluster.sh <zone>:<ip> ..." >&2; exit 2; }
mkdir -p "$ETC"

if [ ! -f "$ETC/objstore.conf" ]; then
  salt() { od -An -tx1 -N8 /dev/urandom | tr -d ' \n'; }
  cat > "$ETC/objstore.conf" <<CONF
# objstore cluster settings shared by every server (never change the hash
# prefix/suffix once data is stored).
[objstore-hash]
swift_hash_path_prefix = $(salt)
swift_hash_path_suffix = $(salt)

[storage-policy:0]
name = gold
default = yes
CONF
fi

for kind in object container account; do
  sed -e 's/^bind_ip = 127.0.0.1$/bind_ip = 0.0.0.0/' \
      -e 's/^mount_check = true$/mount_check = false/' \
      "$SAMPLES/$kind-server.conf" > "$ETC/$kind-server.conf"
done
sed -e 's/^bind_ip = 127.0.0.1$/bind_ip = 0.0.0.0/' \
    -e "s/^memcache_servers = 127.0.0.1:11211$/memcache_servers = $MEMCACHED/" \
    "$SAMPLES/proxy-server.conf" > "$ETC/proxy-server.conf"

cat > "$ETC/rsyncd.conf" <<CONF
# rsync daemon of a storage node: the replicators push to these modules
pid file = /var/run/objstore/rsyncd.pid
uid = root
gid = root
use chroot = no
[object]
path = /srv/node
read only = false
lock file = /var/run/objstore/rsync-object.lock
[container]
path = /srv/node
read only = false
lock file = /var/run/objstore/rsync-container.lock
[account]
path = /srv/node
read only = false
lock file = /var/run/objstore/rsync-account.lock
CONF

replicas=3
[ $# -lt 3 ] && replicas=$#
for kind in object container account; do
  [ -f "$ETC/$kind.ring.gz" ] && continue
  case $kind in object) port=6200 ;; container) port=6201 ;; account) port=6202 ;; esac
  objstore-ring-builder "$ETC/$kind.builder" create "$PART_POWER" "$replicas" 1
  for node in "$@"; do
    objstore-ring-builder "$ETC/$kind.builder" add "r1z${node%%:*}-${node#*:}:$port/d1" 1
  done
  # exit 1 is a warning (e.g. balance); only 2 is an error
  objstore-ring-builder "$ETC/$kind.builder" rebalance --seed 1 || [ $? -eq 1 ]
done
echo "objstore: configs and rings for $# storage node(s) in $ETC"
