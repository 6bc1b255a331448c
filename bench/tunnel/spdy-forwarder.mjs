// The forward kubectl's way, built on kubebridge's own SPDY session
// (`server/cluster/port-forward-session.ts`): a local listener whose connections all ride
// one WebSocket to the pod, each a pair of SPDY streams. Opened again when it drops. Runs
// in a process of its own, as `kubectl port-forward` does.
// Usage: spdy-forwarder.mjs KUBECONFIG NAMESPACE POD PORT
import { KubeConfig } from '@kubernetes/client-node';
import { cachedHttpsOptions } from '../../out/server/cluster/https-options.js';
import { apiEndpoint } from '../../out/server/cluster/api-endpoint.js';
import { PortForwardSession } from '../../out/server/cluster/port-forward-session.js';
import { serveForwards } from './forward-listener.mjs';

const [kubeconfig, namespace, pod, port] = process.argv.slice(2);
const config = new KubeConfig();
config.loadFromFile(kubeconfig);
const endpoint = apiEndpoint(config, cachedHttpsOptions(config));

let session = null;
function currentSession() {
	if (!session) {
		session = PortForwardSession.open(endpoint, { namespace, pod });
		session.then((open) => open.once('close', () => { session = null; }), () => { session = null; });
	}
	return session;
}

await currentSession();
serveForwards(() => currentSession().then((open) => open.forward(Number(port))));
