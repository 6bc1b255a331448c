#!/usr/bin/env bash
# Creates the cluster's CA, the serving and client certificates of every component, the
# service-account key pair and one kubeconfig per identity. Skips what already exists.
set -euo pipefail
. "$(dirname "$0")/common.sh"
mkdir -p "$KB_PKI" && cd "$KB_PKI"
[ -f ca.crt ] && [ -f admin.crt ] && exit 0

openssl genrsa -out ca.key 2048 2>/dev/null
openssl req -x509 -new -key ca.key -subj "/CN=kubebridge-test-ca" -days 3650 -out ca.crt \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"

# sign NAME SUBJECT EXTENSIONS
sign() {
  openssl genrsa -out "$1.key" 2048 2>/dev/null
  openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n%b\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
    -out "$1.crt" -extfile "$1.ext" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
client="extendedKeyUsage=clientAuth"
sign apiserver "/CN=kube-apiserver" "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:127.0.0.1,IP:10.96.0.1,IP:$KB_NODE_IP"
sign kubelet-serving "/CN=$KB_NODE_NAME" "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:$KB_NODE_NAME,IP:$KB_NODE_IP,IP:127.0.0.1"
sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$client"
sign controller-manager "/CN=system:kube-controller-manager" "$client"
sign scheduler "/CN=system:kube-scheduler" "$client"
sign kube-proxy "/CN=system:kube-proxy" "$client"
sign kubelet "/O=system:nodes/CN=system:node:$KB_NODE_NAME" "$client"
openssl genrsa -out sa.key 2048 2>/dev/null
openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
# admin last: its presence marks a complete PKI.
sign admin "/O=system:masters/CN=kubebridge-admin" "$client"

# kubeconfig NAME CERT: a kubeconfig for one identity, written beside the state folder.
kubeconfig() {
  cat > "$KB_STATE/$1.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: kubebridge-test
  cluster:
    server: https://$KB_NODE_IP:6443
    certificate-authority-data: $(base64 -w0 ca.crt)
users:
- name: $1
  user:
    client-certificate-data: $(base64 -w0 "$2.crt")
    client-key-data: $(base64 -w0 "$2.key")
contexts:
- name: kubebridge-test
  context: {cluster: kubebridge-test, user: $1, namespace: default}
current-context: kubebridge-test
KC
  chmod 600 "$KB_STATE/$1.kubeconfig"
}
kubeconfig admin admin
kubeconfig controller-manager controller-manager
kubeconfig scheduler scheduler
kubeconfig kube-proxy kube-proxy
kubeconfig kubelet kubelet
