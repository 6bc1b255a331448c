// A stand-in for the API server's pods/portforward endpoint, for unit tests only: it
// speaks the v4.channel.k8s.io subprotocol and connects each WebSocket to a loopback port,
// as the kubelet connects it to the pod's port. The e2e tests use the real API server.
import { connect } from 'node:net';
import { WebSocketServer } from 'ws';

export async function startFakePortForward() {
	const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (protocols) => (protocols.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false) });
	await new Promise((resolve) => server.once('listening', resolve));
	const sockets = new Set();
	let opened = 0;
	server.on('connection', (ws, req) => {
		opened++;
		const port = Number(new URL(req.url, 'http://x').searchParams.get('ports'));
		const header = (channel) => Buffer.from([channel, port & 0xff, port >> 8]);
		ws.send(header(0));
		ws.send(header(1));
		const tcp = connect({ host: '127.0.0.1', port });
		sockets.add(tcp);
		tcp.on('data', (chunk) => ws.send(Buffer.concat([Buffer.from([0]), chunk])));
		tcp.on('close', () => { sockets.delete(tcp); ws.close(); });
		tcp.on('error', (error) => { ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(error.message)])); });
		ws.on('message', (data) => { if (data[0] === 0) tcp.write(data.subarray(1)); });
		ws.on('close', () => tcp.destroy());
	});
	return {
		endpoint: { server: `http://127.0.0.1:${server.address().port}`, options: async () => ({}) },
		/** How many forwards were opened so far: each is a port-forward call to the API server. */
		opened: () => opened,
		/** How many are open now. */
		open: () => server.clients.size,
		/** Drops every forward at once, as an API server restart would. */
		dropAll: () => { for (const ws of server.clients) ws.terminate(); },
		close: () => new Promise((resolve) => { for (const ws of server.clients) ws.terminate(); for (const s of sockets) s.destroy(); server.close(resolve); }),
	};
}
