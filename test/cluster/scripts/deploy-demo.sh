#!/usr/bin/env bash
# Deploys the demo application (manifests/demo.yaml) and waits for every workload.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/common.sh"
KB_BIN=$(cat "$KB_STATE/bin-path")
kb_kubectl apply -f "$here/manifests/demo.yaml" >/dev/null
for workload in deployment/api deployment/web deployment/orders statefulset/db; do
  kb_kubectl -n kb-demo rollout status "$workload" --timeout=180s >/dev/null
done
log "demo application ready in namespace kb-demo"
