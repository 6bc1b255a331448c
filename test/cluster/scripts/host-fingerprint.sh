#!/usr/bin/env bash
# Prints what the cluster may change on the machine, in a stable order, so two prints
# (before `up`, after `down`) can be compared: links, addresses, routes, iptables rules,
# cgroups, mounts, kernel settings, listening sockets, the hosts file and the cluster's processes.
set -uo pipefail
. "$(dirname "$0")/common.sh"
section() { printf '## %s\n' "$1"; }

section links; ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
section addresses; ip -o addr show | awk '{print $2, $3, $4}' | sort
section routes; ip route show table all | grep -v '^local\|^broadcast\|^multicast\|fe80::\|^ff00::' | sort
for bin in iptables ip6tables; do
  section "$bin"
  # Empty built-in chains are the same as no table at all; counters and comments aside,
  # only chains and rules matter.
  command -v "$bin-save" >/dev/null && "$bin-save" 2>/dev/null | grep -E '^(-A|:)' | grep -vE '^:(INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) ACCEPT' | sed 's/ \[[0-9:]*\]$//' | sort
done
section cgroups; cgroup_hierarchies | while read -r h; do find "$h" -mindepth 1 -maxdepth 1 -type d; done | sort
section mounts; awk '{print $5, $9}' /proc/self/mountinfo | sort
section sysctls
for s in "${KB_SYSCTLS[@]}"; do
  [ -r "/proc/sys/$s" ] && echo "$s $(cat "/proc/sys/$s")"
done
section listening; ss -Hlntu 2>/dev/null | awk '{print $1, $5}' | sort -u
section hosts; sha256sum /etc/hosts | cut -d' ' -f1
section processes
ps -eo comm= | grep -xE 'containerd|containerd-shim.*|etcd|kube-apiserver|kube-controller-m|kube-scheduler|kubelet|kube-proxy|coredns|pause' | sort | uniq -c
