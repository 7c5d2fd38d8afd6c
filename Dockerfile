# One objstore image for every part of a cluster; the command picks which:
#   docker run objstore proxy | storage | object | object-replicator | setup ... | ring-builder ...
# (see deploy/docker/entrypoint.sh and docs/deploy.md).
FROM python:3.11-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends rsync \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /usr/src/objstore
COPY setup.py README.md ./
COPY ring ./ring
COPY objstore ./objstore
RUN pip install --no-cache-dir . && rm -rf /usr/src/objstore

COPY etc /usr/share/objstore/etc
COPY deploy/docker/setup-cluster.sh /usr/share/objstore/setup-cluster.sh
COPY deploy/docker/entrypoint.sh /usr/local/bin/objstore-entrypoint

# proxy, object, container, account servers; rsync daemon
EXPOSE 8080 6200 6201 6202 873
VOLUME ["/etc/objstore", "/srv/node"]
WORKDIR /
ENTRYPOINT ["objstore-entrypoint"]
CMD ["help"]
