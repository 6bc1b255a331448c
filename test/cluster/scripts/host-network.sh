#!/usr/bin/env bash
# `up` makes the pod bridge (its address is the node's), turns on forwarding and fences
# pods in: nothing routed from the bridge may leave through another interface.
# `down` removes the bridge and every iptables chain the cluster's parts created.
set -euo pipefail
. "$(dirname "$0")/common.sh"
fence=(FORWARD -m comment --comment kubebridge-test-fence -i "$KB_BRIDGE" ! -o "$KB_BRIDGE" -j DROP)
fence_in=(FORWARD -m comment --comment kubebridge-test-fence ! -i "$KB_BRIDGE" -o "$KB_BRIDGE" -j DROP)

# Drops, in every table, the chains named by Kubernetes, CNI or this script and the rules
# that jump to them or carry our comment; everything else in the table is kept as it is.
sweep_iptables() {
  local bin=$1 table dump
  for table in filter nat mangle raw; do
    dump=$("$bin-save" -t "$table" 2>/dev/null) || continue
    grep -qE 'KUBE-|CNI-|kubebridge-test' <<<"$dump" || continue
    grep -vE '^(:|-A |-I )?(KUBE-|CNI-)|-j (KUBE-|CNI-)|kubebridge-test' <<<"$dump" | "$bin-restore" -T "$table"
  done
}

case ${1:-} in
  up)
    if ! ip link show "$KB_BRIDGE" >/dev/null 2>&1; then
      ip link add "$KB_BRIDGE" type bridge
      ip addr add "$KB_NODE_IP/16" dev "$KB_BRIDGE"
      ip link set "$KB_BRIDGE" up
    fi
    echo 1 > /proc/sys/net/ipv4/ip_forward
    iptables -t mangle -C "${fence[@]}" 2>/dev/null || iptables -t mangle -I "${fence[@]}"
    iptables -t mangle -C "${fence_in[@]}" 2>/dev/null || iptables -t mangle -I "${fence_in[@]}"
    ;;
  down)
    ip link show "$KB_BRIDGE" >/dev/null 2>&1 && ip link del "$KB_BRIDGE"
    command -v iptables-save >/dev/null && sweep_iptables iptables
    command -v ip6tables-save >/dev/null && sweep_iptables ip6tables
    ;;
  *) die "usage: host-network.sh up|down" ;;
esac
