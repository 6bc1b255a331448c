#!/usr/bin/env bash
# Writes the configuration of containerd, the CNI bridge, the kubelet and kube-proxy into
# the state folder. Every path is the cluster's own, so a containerd or kubelet the machine
# may already run is never touched.
set -euo pipefail
. "$(dirname "$0")/common.sh"
mkdir -p "$KB_STATE/cni/net.d" "$KB_STATE/cni/ipam"

# config FILE < CONTENT: writes FILE only when CONTENT differs. kube-proxy watches its
# file and exits on any write, even of the same bytes, so `up` run again on a running
# cluster (the demo, the test command) would otherwise leave it without a proxy.
config() {
  local new; new=$(mktemp)
  cat > "$new"
  cmp -s "$new" "$1" || cp "$new" "$1"
  rm -f "$new"
}

config "$KB_STATE/containerd.toml" <<EOF2
version = 2
root = "$KB_CONTAINERD_ROOT"
state = "$KB_RUN/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$KB_CONTAINERD_SOCK"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$KB_PAUSE_IMAGE"
  # Without CAP_SYS_RESOURCE a negative oom_score_adj fails every sandbox start.
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$KB_STATE/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
EOF2

# No masquerade: pods keep their own addresses and nothing is translated to the outside.
config "$KB_STATE/cni/net.d/10-kubebridge.conflist" <<EOF2
{
  "cniVersion": "1.0.0",
  "name": "kubebridge-test",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$KB_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$KB_STATE/cni/ipam",
        "ranges": [[{ "subnet": "$KB_POD_CIDR", "gateway": "$KB_NODE_IP" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF2

config "$KB_STATE/kubelet.yaml" <<EOF2
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
containerRuntimeEndpoint: unix://$KB_CONTAINERD_SOCK
# containerd 1.6 lacks the RuntimeConfig call, so the kubelet takes the driver from here.
cgroupDriver: cgroupfs
cgroupRoot: /$KB_CGROUP
failCgroupV1: false
failSwapOn: false
address: $KB_NODE_IP
port: 10250
healthzBindAddress: 127.0.0.1
readOnlyPort: 0
tlsCertFile: $KB_PKI/kubelet-serving.crt
tlsPrivateKeyFile: $KB_PKI/kubelet-serving.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $KB_PKI/ca.crt}
authorization: {mode: Webhook}
clusterDomain: cluster.local
clusterDNS: [$KB_DNS_IP]
resolvConf: $KB_STATE/resolv.conf
# No CAP_SYS_RESOURCE here: the kubelet cannot lower its own score.
oomScoreAdj: 0
maxOpenFiles: 20000
serializeImagePulls: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
podLogsDir: $KB_STATE/pod-logs
evictionHard: {memory.available: "100Mi", nodefs.available: "1Gi", imagefs.available: "1Gi", nodefs.inodesFree: "1%"}
EOF2
# Pods get no upstream resolver: names outside the cluster must not resolve to the outside.
config "$KB_STATE/resolv.conf" < /dev/null

config "$KB_STATE/kube-proxy.yaml" <<EOF2
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $KB_STATE/kube-proxy.kubeconfig}
hostnameOverride: $KB_NODE_NAME
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
mode: iptables
clusterCIDR: $KB_POD_CIDR
nodePortAddresses: ["$KB_NODE_IP/32"]
iptables: {localhostNodePorts: false}
oomScoreAdj: 0
conntrack: {maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF2
