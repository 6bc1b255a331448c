#!/usr/bin/env bash
# Restarts one running component of the test cluster (kube-apiserver or kubelet) for the
# reliability suite: SIGTERM to the process of its pid file, then start-components.sh,
# which starts what is not running exactly as `up` started it and waits for the cluster to
# be ready again. Prints the time (ms since the epoch) the old process was gone and the
# time the cluster answered again, as JSON.
set -euo pipefail
. "$(dirname "$0")/common.sh"
name=${1:?usage: restart-component.sh kube-apiserver|kubelet}
case "$name" in kube-apiserver|kubelet) ;; *) die "only kube-apiserver or kubelet may be restarted" ;; esac
pid_alive "$name" || die "$name is not running"
pid=$(cat "$KB_RUN/$name.pid")
kill -TERM "$pid"
# The API server drains its requests first: it took about 60 s here, so allow well more.
for _ in $(seq 1 1800); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && die "$name (pid $pid) did not end within 180 s"
gone=$(date +%s%3N)
bash "$(dirname "$0")/start-components.sh" >&2
printf '{"gone":%s,"ready":%s}\n' "$gone" "$(date +%s%3N)"
