#!/usr/bin/env bash
# Brings up a real single-node Kubernetes cluster on this machine; safe to run again.
# Prints the admin kubeconfig's path on stdout; progress goes to stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/scripts/common.sh"

[ "$(uname -s)" = Linux ] || die "the test cluster runs on Linux only"
[ "$(id -u)" = 0 ] || die "the test cluster needs root (it runs containerd and a kubelet)"
started=$(date +%s)

"$here/scripts/install-packages.sh"
KB_BIN=$("$here/scripts/build-binaries.sh")
mkdir -p "$KB_RUN" "$KB_LOGS"
echo "$KB_BIN" > "$KB_STATE/bin-path"
"$here/scripts/host-state.sh" save
"$here/scripts/host-network.sh" up
"$here/scripts/host-cgroups.sh" up
"$here/scripts/make-pki.sh"
"$here/scripts/write-configs.sh"
"$here/scripts/start-components.sh"
"$here/scripts/build-images.sh"
"$here/scripts/deploy-addons.sh"

log "cluster ready in $(( $(date +%s) - started ))s; kubeconfig: $KB_KUBECONFIG"
echo "$KB_KUBECONFIG"
