#!/usr/bin/env bash
# build-image.sh OUT.tar: builds the agent image without a container engine (the test
# cluster imports it into containerd) and prints its reference. Users build the same
# program with agent/Dockerfile and push it to their own registry.
set -euo pipefail
out=$1
agent=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$agent/.." && pwd)
ref=${KUBEBRIDGE_AGENT_IMAGE:-kubebridge.local/agent:dev}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$repo/node_modules/.bin/esbuild" "$agent/src/main.ts" --bundle --platform=node --target=node24 --format=cjs \
  --outfile="$work/rootfs/agent/agent.cjs" --log-level=warning
"$repo/test/cluster/scripts/node-rootfs.sh" "$work/rootfs"
# A numeric non-root user, so runAsNonRoot can be verified from the image alone.
echo 'agent:x:65532:65532:agent:/nonexistent:/sbin/nologin' >> "$work/rootfs/etc/passwd"
echo 'agent:x:65532:' >> "$work/rootfs/etc/group"
"$repo/test/cluster/scripts/mkoci.sh" "$ref" "$work/rootfs" "$out" '["/usr/local/bin/node","/agent/agent.cjs"]' 65532:65532
echo "$ref"
