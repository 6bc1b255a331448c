#!/usr/bin/env bash
# `save` records the machine settings the cluster changes (kernel sysctls the kubelet and
# kube-proxy set, IP forwarding) once, before the first `up`; `restore` puts them back.
set -euo pipefail
. "$(dirname "$0")/common.sh"
saved=$KB_STATE/host-sysctls
sysctls=(net/ipv4/ip_forward net/ipv4/conf/all/route_localnet net/bridge/bridge-nf-call-iptables
  net/bridge/bridge-nf-call-ip6tables vm/overcommit_memory vm/panic_on_oom kernel/panic
  kernel/panic_on_oops kernel/keys/root_maxkeys kernel/keys/root_maxbytes)

case ${1:-} in
  save)
    [ -f "$saved" ] && exit 0
    mkdir -p "$KB_STATE"
    for s in "${sysctls[@]}"; do
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
