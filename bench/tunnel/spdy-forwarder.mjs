// The forward kubectl's way, built on kubebridge's own SPDY session
// (`server/cluster/port-forward-session.ts`): a local listener whose connections all ride
// one WebSocket to the pod, each a pair of SPDY streams. Opened again when it drops. Runs
// in a process of its own, as `kubectl port-forward` does. Prints its port as one JSON line.
// Usage: spdy-forwarder.mjs KUBECONFIG NAMESPACE POD PORT
import net from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { cachedHttpsOptions } from '../../out/server/cluster/https-options.js';
import { apiEndpoint } from '../../out/server/cluster/api-endpoint.js';
import { PortForwardSession } from '../../out/server/cluster/port-forward-session.js';

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

const server = net.createServer({ noDelay: true }, (socket) => {
	socket.pause();
	currentSession().then((open) => open.forward(Number(port))).then((forward) => {
		socket.pipe(forward).pipe(socket);
		socket.on('error', () => forward.destroy());
		forward.on('error', () => socket.destroy());
		socket.on('close', () => forward.destroy());
		forward.on('close', () => socket.destroy());
		socket.resume();
	}, (error) => {
		process.stderr.write(`forward failed: ${error.message}\n`);
		socket.destroy();
	});
});
await currentSession();
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.on('SIGTERM', () => process.exit(0));
