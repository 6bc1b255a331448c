// The baseline forward built like kubebridge's tunnel: a local listener where each
// accepted connection gets a port-forward WebSocket of its own (kubebridge's
// `openForward`, with backpressure both ways). Runs in a process of its own, as
// `kubectl port-forward` does. Prints its port as one JSON line.
// Usage: ws-forwarder.mjs KUBECONFIG NAMESPACE POD PORT
import net from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { cachedHttpsOptions } from '../../out/server/cluster/https-options.js';
import { apiEndpoint } from '../../out/server/cluster/api-endpoint.js';
import { openForward } from '../../out/server/cluster/port-forward.js';

const [kubeconfig, namespace, pod, port] = process.argv.slice(2);
const config = new KubeConfig();
config.loadFromFile(kubeconfig);
const endpoint = apiEndpoint(config, cachedHttpsOptions(config));

const server = net.createServer({ noDelay: true }, (socket) => {
	socket.pause();
	openForward(endpoint, { namespace, pod, port: Number(port) }).then((forward) => {
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
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.on('SIGTERM', () => process.exit(0));
