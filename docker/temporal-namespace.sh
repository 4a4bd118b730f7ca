#!/bin/sh
# After the Temporal server is healthy: the namespace Herald runs in, and Herald's search
# attributes (the workers also register any that are missing). Idempotent.
set -eu
NS="${TEMPORAL_NAMESPACE:-default}"
# The port answers a little before the frontend serves; give it up to a minute.
i=0
until temporal operator cluster health >/dev/null 2>&1; do
  i=$((i + 1)); [ "$i" -le 30 ] || { echo 'Temporal is not serving' >&2; exit 1; }
  sleep 2
done
temporal operator namespace describe --namespace "$NS" >/dev/null 2>&1 \
  || temporal operator namespace create --namespace "$NS" --retention "${TEMPORAL_RETENTION:-72h}"
# A namespace just created takes a few seconds to reach every frontend, and until then
# creating its search attributes fails: each one is retried until the namespace lists it.
has() { temporal operator search-attribute list --namespace "$NS" 2>/dev/null | grep -qw "$1"; }
for a in HeraldTenant HeraldPriority HeraldStatus HeraldKind HeraldCategory HeraldTemplate; do
  i=0
  until has "$a"; do
    i=$((i + 1)); [ "$i" -le 30 ] || { echo "could not create search attribute $a" >&2; exit 1; }
    temporal operator search-attribute create --namespace "$NS" --name "$a" --type Keyword >/dev/null 2>&1 || sleep 2
  done
done
echo "namespace $NS is ready"
