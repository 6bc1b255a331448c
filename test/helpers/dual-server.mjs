// A server that answers HTTP/1.1 and cleartext HTTP/2 (prior knowledge, as gRPC speaks it)
// on one port, as the routing tests need from both the original pods and the developer's
// process. It answers who it is, the protocol and the routing header it saw, sends a
// gRPC-style trailer on HTTP/2, and keeps every request. Self-contained (no imports), so a
// pod runs the same function: `(${dualServer})({ port: 8080, name: process.env.HOSTNAME })`.

/** Starts the server; resolves with its port and the requests it saw. */
export function dualServer({ port = 0, host, name, header = 'x-dev' }) {
	const http = process.getBuiltinModule('node:http');
	const http2 = process.getBuiltinModule('node:http2');
	const net = process.getBuiltinModule('node:net');
	const seen = [];
	const record = (proto, path, headers, body) => {
		const entry = { proto, path, header: headers[header] ?? null, body, seq: seen.length + 1 };
		seen.push(entry);
		return JSON.stringify({ who: name, ...entry });
	};
	const h1 = http.createServer((req, res) => {
		let body = '';
		req.on('data', (d) => { body += d; });
		req.on('end', () => {
			const text = record('http/1.1', req.url, req.headers, body);
			res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
		});
	});
	const h2 = http2.createServer();
	h2.on('stream', (stream, headers) => {
		let body = '';
		stream.on('error', () => undefined);
		stream.on('data', (d) => { body += d; });
		stream.on('end', () => {
			stream.respond({ ':status': 200, 'content-type': 'application/json' }, { waitForTrailers: true });
			stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
			stream.end(record('h2', headers[':path'], headers, body));
		});
	});
	const preface = 'PRI * HTTP/2.0';
	const sockets = new Set();
	const server = net.createServer((socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		socket.on('error', () => undefined);
		socket.once('data', (first) => {
			socket.pause();
			socket.unshift(first);
			if (first.subarray(0, 3).toString() === preface.slice(0, 3)) return void h2.emit('connection', socket);
			h1.emit('connection', socket);
			socket.resume();
		});
	});
	return new Promise((resolve) => server.listen(port, host, () => resolve({
		port: server.address().port, seen,
		close: () => new Promise((done) => { for (const s of sockets) s.destroy(); server.close(() => done()); }),
	})));
}
