#!/usr/bin/env bash
# Installs from Debian's packages what the cluster runs on, and the editor the cluster tests
# drive kubebridge from (neovim, headless), when missing here.
set -euo pipefail
. "$(dirname "$0")/common.sh"

packages=(containerd runc containernetworking-plugins iptables conntrack openssl iproute2 procps util-linux gcc libc6-dev neovim)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
command -v go >/dev/null || die "Go (1.24 or newer) is needed to build the cluster's binaries; none is on PATH"
[ ${#missing[@]} -eq 0 ] && exit 0
log "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Debian's containerd package would start a daemon through its init script where one
# exists; policy-rc.d keeps the package from starting anything: `up` starts what it owns.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
