#!/usr/bin/env bash
# `up` makes the cgroup the kubelet puts every pod under (one per hierarchy), so the
# cluster's processes are told apart from anything else the machine runs; `down` kills
# whatever still runs there (containers whose runtime died with a crash) and removes it.
set -euo pipefail
. "$(dirname "$0")/common.sh"

case ${1:-} in
  up)
    for h in $(cgroup_hierarchies); do mkdir -p "$h/$KB_CGROUP"; done ;;
  down)
    for _ in 1 2 3; do
      for h in $(cgroup_hierarchies); do
        [ -d "$h/$KB_CGROUP" ] || continue
        find "$h/$KB_CGROUP" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
      done
      sleep 0.3
    done
    for h in $(cgroup_hierarchies); do
      [ -d "$h/$KB_CGROUP" ] && find "$h/$KB_CGROUP" -depth -type d -exec rmdir {} \; 2>/dev/null
    done
    true ;;
  *) die "usage: host-cgroups.sh up|down" ;;
esac
