#!/usr/bin/env bash
# mkoci.sh REF ROOTFS OUT.tar ENTRYPOINT-JSON [USER]: packs a folder as a one-layer OCI image
# layout that `ctr images import` takes, so no image builder or registry is needed.
set -euo pipefail
ref=$1 rootfs=$2 out=$3 entrypoint=$4 user=${5:-}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$work/blobs/sha256"
# blob FILE: moves FILE into the blob store, prints "digest size".
blob() {
  local digest size
  digest=$(sha256sum "$1" | cut -d' ' -f1); size=$(stat -c %s "$1")
  mv "$1" "$work/blobs/sha256/$digest"; echo "$digest $size"
}
tar --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0 -C "$rootfs" -cf "$work/layer" .
read -r layer layer_size < <(blob "$work/layer")
printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/bin:/usr/bin:/bin"],"Entrypoint":%s,"User":"%s","WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
  "$entrypoint" "$user" "$layer" > "$work/config"
read -r config config_size < <(blob "$work/config")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
  "$config" "$config_size" "$layer" "$layer_size" > "$work/manifest"
read -r manifest manifest_size < <(blob "$work/manifest")
printf '{"imageLayoutVersion":"1.0.0"}' > "$work/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
  "$manifest" "$manifest_size" "$ref" "${ref##*:}" > "$work/index.json"
tar -C "$work" -cf "$out" oci-layout index.json blobs
