#!/usr/bin/env bash
# Prints what explains a failed cluster test: recent events, pods, and the tail of every
# component's log.
set -uo pipefail
. "$(dirname "$0")/common.sh"
[ -d "$KB_STATE" ] || { echo "no test cluster state at $KB_STATE"; exit 0; }
KB_BIN=$(cat "$KB_STATE/bin-path" 2>/dev/null)
echo "=== kubectl get pods -A -o wide"; kb_kubectl get pods -A -o wide 2>&1 | head -50
echo "=== kubectl get events -A"; kb_kubectl get events -A --sort-by=.lastTimestamp 2>&1 | tail -40
for f in "$KB_LOGS"/*.log; do
  [ -f "$f" ] || continue
  echo "=== tail of $(basename "$f")"; tail -n 25 "$f"
done
