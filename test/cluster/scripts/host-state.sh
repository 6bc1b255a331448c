#!/usr/bin/env bash
# `save` records the machine settings the cluster changes (kernel sysctls the kubelet and
# kube-proxy set, IP forwarding) once, before the first `up`; `restore` puts them back.
set -euo pipefail
. "$(dirname "$0")/common.sh"
saved=$KB_STATE/host-sysctls

case ${1:-} in
  save)
    [ -f "$saved" ] && exit 0
    mkdir -p "$KB_STATE"
    for s in "${KB_SYSCTLS[@]}"; do
      [ -r "/proc/sys/$s" ] && printf '%s %s\n' "$s" "$(cat "/proc/sys/$s")"
    done > "$saved.partial"
    mv "$saved.partial" "$saved" ;;
  restore)
    [ -f "$saved" ] || exit 0
    while read -r s value; do
      [ "$(cat "/proc/sys/$s")" = "$value" ] || echo "$value" > "/proc/sys/$s" || log "could not restore $s"
    done < "$saved" ;;
  *) die "usage: host-state.sh save|restore" ;;
esac
