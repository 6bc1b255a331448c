#!/usr/bin/env bash
# Starts containerd and every Kubernetes component as a background process (pid file in
# run/, log in logs/), each waited for before the next; skips what is already running.
set -euo pipefail
. "$(dirname "$0")/common.sh"
KB_BIN=$(cat "$KB_STATE/bin-path")
export PATH="$KB_BIN:$PATH"

# start NAME COMMAND...: setsid keeps the component out of the caller's process group, so a
# Ctrl-C in the terminal that ran `up` does not take the cluster down with it.
start() {
  local name=$1; shift
  pid_alive "$name" && return 0
  setsid "$@" >>"$KB_LOGS/$name.log" 2>&1 </dev/null &
  echo $! > "$KB_RUN/$name.pid"
  log "started $name (pid $!)"
}
apiserver_ready() { kb_kubectl get --raw=/readyz; }
port_open() { bash -c "exec 3<>/dev/tcp/127.0.0.1/$1"; }
node_ready() {
  [ "$(kb_kubectl get node "$KB_NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}

start containerd containerd --config "$KB_STATE/containerd.toml"
wait_for containerd 60 kb_ctr version

start etcd etcd --name "$KB_NODE_NAME" --data-dir "$KB_STATE/etcd" \
  --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster "$KB_NODE_NAME=http://127.0.0.1:2380" --listen-metrics-urls http://127.0.0.1:2381 \
  --unsafe-no-fsync
wait_for etcd 60 port_open 2379

start kube-apiserver kube-apiserver --etcd-servers=http://127.0.0.1:2379 \
  --advertise-address="$KB_NODE_IP" --bind-address="$KB_NODE_IP" --secure-port=6443 \
  --service-cluster-ip-range="$KB_SERVICE_CIDR" --client-ca-file="$KB_PKI/ca.crt" \
  --tls-cert-file="$KB_PKI/apiserver.crt" --tls-private-key-file="$KB_PKI/apiserver.key" \
  --kubelet-client-certificate="$KB_PKI/apiserver-kubelet-client.crt" \
  --kubelet-client-key="$KB_PKI/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority="$KB_PKI/ca.crt" --kubelet-preferred-address-types=InternalIP \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$KB_PKI/sa.pub" --service-account-signing-key-file="$KB_PKI/sa.key" \
  --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction --allow-privileged=true
wait_for kube-apiserver 120 apiserver_ready

start kube-controller-manager kube-controller-manager \
  --kubeconfig="$KB_STATE/controller-manager.kubeconfig" \
  --authentication-kubeconfig="$KB_STATE/controller-manager.kubeconfig" \
  --authorization-kubeconfig="$KB_STATE/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --leader-elect=false --root-ca-file="$KB_PKI/ca.crt" \
  --service-account-private-key-file="$KB_PKI/sa.key" --use-service-account-credentials=true \
  --cluster-signing-cert-file="$KB_PKI/ca.crt" --cluster-signing-key-file="$KB_PKI/ca.key" \
  --service-cluster-ip-range="$KB_SERVICE_CIDR"
start kube-scheduler kube-scheduler --kubeconfig="$KB_STATE/scheduler.kubeconfig" \
  --authentication-kubeconfig="$KB_STATE/scheduler.kubeconfig" \
  --authorization-kubeconfig="$KB_STATE/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --leader-elect=false
wait_for kube-controller-manager 60 port_open 10257
wait_for kube-scheduler 60 port_open 10259

start kubelet kubelet --config="$KB_STATE/kubelet.yaml" --kubeconfig="$KB_STATE/kubelet.kubeconfig" \
  --root-dir="$KB_STATE/kubelet" --hostname-override="$KB_NODE_NAME" --node-ip="$KB_NODE_IP" \
  --pod-infra-container-image="$KB_PAUSE_IMAGE"
start kube-proxy kube-proxy --config="$KB_STATE/kube-proxy.yaml"
wait_for "node $KB_NODE_NAME to be Ready" 180 node_ready
wait_for "the default ServiceAccount" 60 kb_kubectl get serviceaccount default -n default
wait_for "the kube-root-ca.crt ConfigMap" 60 kb_kubectl get configmap kube-root-ca.crt -n default
log "control plane, kubelet and kube-proxy are up"
