#!/usr/bin/env bash
# Makes, once, what the Windows test phase runs in: a Debian 13 root (its wine 10 starts
# Node 24; Debian 12's wine 8 cannot) with wine installed and a wine prefix initialised
# without any prompt. Cached under KUBEBRIDGE_WINE_CACHE (/var/cache/kubebridge-wine); a run
# that finds the cache ready returns at once. Packages come from the Debian mirror this
# host's apt already uses. On failure it prints why on stderr and exits non-zero.
set -euo pipefail
cd "$(dirname "$0")"
cache=${KUBEBRIDGE_WINE_CACHE:-/var/cache/kubebridge-wine}
root=$cache/root
# Bump when what is installed changes, so caches made by an older recipe are made again.
recipe="trixie minbase; wine wine64 --no-install-recommends; prefix 1"
fail() { echo "setup-wine: $*" >&2; exit 1; }

[ "$(cat "$cache/ready" 2>/dev/null)" = "$recipe" ] && exit 0
[ "$(uname -s)" = Linux ] || fail "wine runs here in a Debian root, which needs Linux"
[ "$(id -u)" = 0 ] || fail "making the Debian root and its namespaces needs root"
[ "$(uname -m)" = x86_64 ] || fail "the Windows executables are x64 and wine needs an x86_64 host"

# The mirror of the host's own Debian suite (deb822 .sources or one-line lists).
host_mirror() {
  local suite
  suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [ -n "$suite" ] || return 1
  {
    cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk -v s="$suite" '
      /^URIs:/ { uris = $2 } /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) ok = 1 }
      /^$/ { if (ok && uris) print uris; ok = 0; uris = "" }
      END { if (ok && uris) print uris }'
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk -v s="$suite" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/) break; if ($(i + 1) == s) print $i }'
  } | head -n 1
}

if ! command -v debootstrap >/dev/null; then
  command -v apt-get >/dev/null || fail "no debootstrap and no apt-get to install it"
  echo "setup-wine: installing debootstrap on the host" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null ||
    fail "apt-get could not install debootstrap"
fi
mirror=$(host_mirror) || true
[ -n "$mirror" ] || fail "found no Debian mirror for this host's suite in /etc/apt/sources.list*"

mkdir -p "$cache"
if [ ! -f "$root/.base-done" ]; then
  echo "setup-wine: debootstrap trixie from $mirror (a few minutes, once)" >&2
  rm -rf "$root"
  debootstrap --variant=minbase trixie "$root" "$mirror" > "$cache/debootstrap.log" 2>&1 ||
    fail "debootstrap failed, see $cache/debootstrap.log"
  touch "$root/.base-done"
fi

echo "setup-wine: installing wine in the root" >&2
mkdir -p "$root/opt/wineprefix"
./wine-run.sh -- sh -c 'apt-get update -qq &&
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wine wine64 &&
  apt-get clean' > "$cache/apt.log" 2>&1 || fail "installing wine failed, see $cache/apt.log"

echo "setup-wine: initialising the wine prefix" >&2
rm -rf "$root/opt/wineprefix" && mkdir -p "$root/opt/wineprefix"
./wine-run.sh -- sh -c 'wine wineboot --init && wineserver -w' > "$cache/wineboot.log" 2>&1 ||
  fail "wineboot failed, see $cache/wineboot.log"
[ -f "$root/opt/wineprefix/drive_c/windows/system32/drivers/etc/hosts" ] ||
  fail "the wine prefix has no hosts file, see $cache/wineboot.log"
echo "$recipe" > "$cache/ready"
