#!/usr/bin/env bash
# Deploys cluster DNS and waits until it answers.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/common.sh"
KB_BIN=$(cat "$KB_STATE/bin-path")
kb_kubectl apply -f "$here/manifests/coredns.yaml" >/dev/null
kb_kubectl -n kube-system rollout status deployment/coredns --timeout=180s >/dev/null
log "cluster DNS ready"
