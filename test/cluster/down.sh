#!/usr/bin/env bash
# Takes the test cluster away: pods, every process `up` started, their mounts, network
# namespaces, the bridge, iptables chains and sysctls, and the state folder. Caches
# (binaries, images) stay. Safe to run when nothing is up.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/scripts/common.sh"
[ "$(id -u)" = 0 ] || die "taking the test cluster down needs root"
[ -d "$KB_STATE" ] || { log "nothing to take down"; exit 0; }
started=$(date +%s)
KB_BIN=$(cat "$KB_STATE/bin-path" 2>/dev/null || true)

# stop NAME: TERM, then KILL after a grace period.
stop() {
  local pid
  pid=$(cat "$KB_RUN/$1.pid" 2>/dev/null) || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$KB_RUN/$1.pid"
}

# Pods go first, through the kubelet, so their containers, mounts and network namespaces
# are torn down the normal way; controllers are stopped first so nothing is recreated.
if [ -n "$KB_BIN" ] && pid_alive kube-apiserver && pid_alive kubelet; then
  stop kube-controller-manager; stop kube-scheduler
  kb_kubectl delete pods --all --all-namespaces --grace-period=1 --wait=true --timeout=60s >/dev/null 2>&1 \
    || log "pods did not all go in time; removing what is left by force"
  # Stopping a pod's sandbox tears down its network; removing it waits for the kubelet's
  # garbage collection, which the force path below does at once.
  for _ in $(seq 1 40); do kb_ctr tasks ls 2>/dev/null | grep -q RUNNING || break; sleep 0.5; done
fi
stop kube-controller-manager; stop kube-scheduler
stop kubelet; stop kube-proxy

# Whatever the kubelet left: containers and their shims.
if pid_alive containerd; then
  for task in $(kb_ctr tasks ls -q 2>/dev/null); do kb_ctr tasks kill -s SIGKILL "$task" >/dev/null 2>&1; done
  sleep 0.5
  for task in $(kb_ctr tasks ls -q 2>/dev/null); do kb_ctr tasks delete -f "$task" >/dev/null 2>&1; done
  for c in $(kb_ctr containers ls -q 2>/dev/null); do kb_ctr containers delete "$c" >/dev/null 2>&1; done
fi
stop kube-apiserver; stop etcd; stop containerd
# Shims outlive containerd by design; ours are those serving its socket.
pkill -KILL -f "containerd-shim-runc-v2 .*-address $KB_CONTAINERD_SOCK" 2>/dev/null
# Containers whose shim and containerd died in a crash still run in the pods' cgroup.
"$here/scripts/host-cgroups.sh" down

[ -n "$KB_BIN" ] && [ -x "$KB_BIN/kube-proxy" ] && "$KB_BIN/kube-proxy" --cleanup >/dev/null 2>&1

# Network namespaces and mounts under the state folder and containerd's, deepest first.
for ns in "$KB_RUN"/containerd/io.containerd.grpc.v1.cri/netns/* ; do
  [ -e "$ns" ] || continue
  umount "$ns" 2>/dev/null; rm -f "$ns"
done
awk '{print $5}' /proc/self/mountinfo | grep -E "^($KB_STATE|$KB_CONTAINERD_ROOT)(/|$)" | sort -r |
  while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done

"$here/scripts/host-network.sh" down
"$here/scripts/host-state.sh" restore
rm -rf "$KB_STATE"
log "cluster down in $(( $(date +%s) - started ))s"
