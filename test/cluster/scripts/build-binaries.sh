#!/usr/bin/env bash
# Builds the cluster's server binaries from the Go modules pinned in ../k8s and ../coredns,
# into a cache folder keyed by the pinned versions, so a second `up` costs nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/common.sh"

pinned() { sed -nE "s,^(require)?[[:space:]]*$1 (v[^ ]+).*,\\2,p" "$2" | head -1; }
k8s_version=$(pinned k8s.io/kubernetes "$here/k8s/go.mod")
coredns_version=$(pinned github.com/coredns/coredns "$here/coredns/go.mod")
[ -n "$k8s_version" ] && [ -n "$coredns_version" ] || die "cannot read the pinned versions"
out="$KB_CACHE/bin-$k8s_version-coredns-$coredns_version"
wanted=(etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl coredns)

have_all() { for b in "${wanted[@]}"; do [ -x "$out/$b" ] || return 1; done; }
if have_all; then echo "$out"; exit 0; fi

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-trimpath -mod=readonly"
tmp="$out.partial"
rm -rf "$tmp" && mkdir -p "$tmp"
minor=$(echo "$k8s_version" | cut -d. -f2)
v=k8s.io/component-base/version
ldflags="-s -w -X $v.gitVersion=$k8s_version -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean"
start=$(date +%s)
log "building Kubernetes $k8s_version, etcd and CoreDNS $coredns_version from their Go modules (cold: 15-30 min)"
(cd "$here/k8s" && go build -ldflags "$ldflags" -o "$tmp/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet \
  k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kubectl)
(cd "$here/k8s" && go build -ldflags "-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3)
(cd "$here/coredns" && go build -ldflags "-s -w" -o "$tmp/coredns" github.com/coredns/coredns)
rm -rf "$out" && mv "$tmp" "$out"
log "binaries built in $(( $(date +%s) - start ))s into $out"
echo "$out"
