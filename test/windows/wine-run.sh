#!/usr/bin/env bash
# Runs one command inside the cached Debian 13 root that holds wine (see setup-wine.sh), in a
# mount and PID namespace of its own: every mount made here and every process started here,
# wineserver included, ends with the namespace, so nothing is left on the host however the
# command ends. The network stays the host's, so a cluster the host reaches is reachable.
#
#   wine-run.sh [--bind HOST:INSIDE]... [--ro HOST:INSIDE]... [--scratch-prefix] -- CMD ARGS...
#
# --scratch-prefix puts a throw-away layer over the cached wine prefix: the command sees and
# may change the prefix (hosts file, registry, temp folder), the cache stays as it was.
set -euo pipefail
cache=${KUBEBRIDGE_WINE_CACHE:-/var/cache/kubebridge-wine}
root=$cache/root
binds=() ro=() scratch=0
while [ $# -gt 0 ]; do
  case $1 in
    --bind) binds+=("$2"); shift 2 ;;
    --ro) ro+=("$2"); shift 2 ;;
    --scratch-prefix) scratch=1; shift ;;
    --) shift; break ;;
    *) echo "wine-run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ $# -gt 0 ] || { echo "wine-run.sh: no command given" >&2; exit 2; }
[ -d "$root/usr" ] || { echo "wine-run.sh: no wine root at $root (run setup-wine.sh)" >&2; exit 2; }

# The namespace's first process: mounts, then the command, then the wineserver is told to go.
# Its exit ends the PID namespace, which kills whatever is still running in it.
inside() {
  set -euo pipefail
  local root=$1 scratch=$2; shift 2
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
  mkdir -m 700 "$root/tmp/.xdg"
  mount --bind /etc/resolv.conf "$root/etc/resolv.conf"
  local spec
  while [ "$1" != -- ]; do
    spec=$1; shift
    local mode=${spec%%=*} pair=${spec#*=}
    local from=${pair%%:*} to=$root${pair#*:}
    mkdir -p "$to"
    mount --bind "$from" "$to"
    [ "$mode" = ro ] && mount -o remount,bind,ro "$to"
  done
  shift
  if [ "$scratch" = 1 ]; then
    mkdir -p "$root/tmp/.prefix/upper" "$root/tmp/.prefix/work"
    mount -t overlay overlay \
      -o "lowerdir=$root/opt/wineprefix,upperdir=$root/tmp/.prefix/upper,workdir=$root/tmp/.prefix/work" \
      "$root/opt/wineprefix"
  fi
  local rc=0
  chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root \
    WINEPREFIX=/opt/wineprefix WINEDEBUG=${WINEDEBUG:--all} WINEDLLOVERRIDES='mscoree,mshtml=' \
    XDG_RUNTIME_DIR=/tmp/.xdg LANG=C.UTF-8 "$@" || rc=$?
  chroot "$root" /usr/bin/env WINEPREFIX=/opt/wineprefix wineserver -k 2>/dev/null || true
  return $rc
}

specs=()
for b in ${binds[@]+"${binds[@]}"}; do specs+=("rw=$b"); done
for b in ${ro[@]+"${ro[@]}"}; do specs+=("ro=$b"); done
exec unshare --mount --propagation private --pid --fork --kill-child \
  bash -c "$(declare -f inside); inside \"\$@\"" inside "$root" "$scratch" ${specs[@]+"${specs[@]}"} -- "$@"
