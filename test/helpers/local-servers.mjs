// The "local process" of the cluster tests: servers on this machine that answer in a way
// a test can tell apart from the cluster's own pods.
import http from 'node:http';
import net from 'node:net';

/** An HTTP server that says who it is and which path it was asked for. */
export async function startLocalHttp(name) {
	const server = http.createServer((req, res) => {
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ answeredBy: name, path: req.url }));
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { port: server.address().port, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }) };
}

/** A TCP server that echoes everything back once the caller half-closed. */
export async function startLocalEcho() {
	const server = net.createServer({ allowHalfOpen: true }, (socket) => {
		const chunks = [];
		socket.on('data', (chunk) => chunks.push(chunk));
		socket.on('end', () => socket.end(Buffer.concat(chunks)));
		socket.on('error', () => undefined);
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { port: server.address().port, close: () => new Promise((resolve) => server.close(resolve)) };
}
