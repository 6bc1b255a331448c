# Shared settings of the test cluster's scripts; sourced, never run.
# Caches (binaries, images, containerd's content) survive `down`; everything under
# KB_STATE belongs to one running cluster and `down` removes it.
KB_CACHE=${KB_CLUSTER_CACHE:-/var/cache/kubebridge-cluster}
KB_STATE=${KB_CLUSTER_STATE:-/var/lib/kubebridge-cluster}
KB_RUN=$KB_STATE/run
KB_LOGS=$KB_STATE/logs
KB_PKI=$KB_STATE/pki
KB_KUBECONFIG=$KB_STATE/admin.kubeconfig
KB_CONTAINERD_SOCK=$KB_RUN/containerd/containerd.sock
KB_CONTAINERD_ROOT=$KB_CACHE/containerd
# The node's address is the pod bridge's gateway: the cluster listens on loopback and on
# its own bridge, never on the machine's real interfaces.
KB_BRIDGE=kb-cni0
KB_POD_CIDR=10.88.0.0/16
KB_NODE_IP=10.88.0.1
KB_SERVICE_CIDR=10.96.0.0/16
KB_DNS_IP=10.96.0.10
KB_NODE_NAME=node1
# The kubelet's cgroup root: every pod runs below it, in every cgroup hierarchy.
KB_CGROUP=kubebridge-test
# Built here and never pulled: the sandbox image containerd and the kubelet both name.
KB_PAUSE_IMAGE=kubebridge.local/pause:3.10
# Kernel settings the kubelet and kube-proxy may change; `down` puts them back.
KB_SYSCTLS=(net/ipv4/ip_forward net/ipv4/conf/all/route_localnet net/bridge/bridge-nf-call-iptables
  net/bridge/bridge-nf-call-ip6tables vm/overcommit_memory vm/panic_on_oom kernel/panic
  kernel/panic_on_oops kernel/keys/root_maxkeys kernel/keys/root_maxbytes)

log() { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

kb_ctr() { ctr --address "$KB_CONTAINERD_SOCK" -n k8s.io "$@"; }
kb_kubectl() { "$KB_BIN/kubectl" --kubeconfig "$KB_KUBECONFIG" "$@"; }

# Waits until a command succeeds, up to a number of seconds.
wait_for() {
  local what=$1 seconds=$2; shift 2
  local deadline=$(( $(date +%s) + seconds ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || die "timed out after ${seconds}s waiting for $what"
    sleep 0.5
  done
}

cgroup_hierarchies() { awk '$3 ~ /^cgroup2?$/ {print $2}' /proc/self/mounts | sort -u; }

pid_alive() { [ -f "$KB_RUN/$1.pid" ] && kill -0 "$(cat "$KB_RUN/$1.pid")" 2>/dev/null; }
