// Header routing's propagation on the local program's outbound connections, through a real
// listener and tunnel framing (the agent's side spliced to loopback servers standing in for
// the cluster): cleartext HTTP/2 is answered here and each stream sent on with the header,
// trailers and resets crossing; HTTP/1 still goes through the inserter, and a protocol where
// the cluster's side speaks first is not held up waiting for the program's first bytes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http2 from 'node:http2';
import net from 'node:net';
import { duplexPair } from 'node:stream';
import { spliceSocket } from '../../../../out/agent/src/contract/handoff.js';
import { PortListener } from '../../../../out/server/outbound/port-listener.js';
import { propagateHeader } from '../../../../out/server/session/routing/header-propagation.js';
import { Logger } from '../../../../out/server/log/logger.js';

const { NGHTTP2_CANCEL, NGHTTP2_ENHANCE_YOUR_CALM } = http2.constants;
const logger = new Logger(null);
const closers = [];
after(async () => { for (const close of closers.reverse()) await close(); });

/** A tunnel to `127.0.0.1:port`, its far end spliced as the agent splices the cluster's connection. */
async function dial(_host, port) {
	const [mine, agents] = duplexPair();
	const connection = net.connect(port, '127.0.0.1');
	await once(connection, 'connect');
	spliceSocket(connection, agents);
	return { socket: mine, head: Buffer.alloc(0) };
}

async function freePort() {
	const server = net.createServer().listen(0, '127.0.0.1');
	await once(server, 'listening');
	const { port } = server.address();
	await new Promise((resolve) => server.close(resolve));
	return port;
}

/** A listener as outbound opens one for a cluster service on `clusterPort`, with propagation of `x-dev: alice`. */
async function listenerTo(clusterPort) {
	const listener = new PortListener('127.0.0.1', clusterPort, dial, logger, propagateHeader('X-Dev', 'alice'));
	const port = await freePort();
	await listener.listen('127.0.0.1', port);
	closers.push(() => listener.close());
	return port;
}

/** What the cluster's HTTP/2 server saw: each stream's headers, resets by path, sessions that opened and closed. */
const seen = { headers: new Map(), resets: new Map(), sessionsOpened: 0, sessionsClosed: 0, waiting: new Map() };
let h2Port;
let h2Local;

before(async () => {
	const cluster = http2.createServer();
	cluster.on('session', (session) => {
		seen.sessionsOpened++;
		session.on('close', () => { seen.sessionsClosed++; });
	});
	cluster.on('stream', (stream, headers) => {
		const path = headers[':path'];
		seen.headers.set(path, headers);
		stream.on('error', () => undefined);
		stream.on('close', () => seen.resets.set(path, stream.rstCode));
		seen.waiting.get(path)?.();
		if (path === '/hang') return;
		if (path === '/refuse') return void stream.close(NGHTTP2_ENHANCE_YOUR_CALM);
		const body = [];
		stream.on('data', (chunk) => body.push(chunk));
		stream.on('end', () => {
			const text = Buffer.concat(body).toString();
			stream.respond({ ':status': 200, 'content-type': 'text/plain' }, { waitForTrailers: true });
			stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'x-length': String(text.length) }));
			stream.end(text.toUpperCase());
		});
	});
	cluster.listen(0, '127.0.0.1');
	await once(cluster, 'listening');
	closers.push(() => new Promise((resolve) => cluster.close(resolve)));
	h2Port = await listenerTo(cluster.address().port);
	h2Local = http2.connect(`http://127.0.0.1:${h2Port}`);
	closers.push(() => { h2Local.destroy(); });
});

/** Sends one request on the local session; resolves with status, body and trailers. */
function call(path, body, headers = {}) {
	return new Promise((resolve, reject) => {
		const request = h2Local.request({ ':method': 'POST', ':path': path, ...headers });
		let status;
		let trailers = {};
		const chunks = [];
		request.on('response', (answer) => { status = answer[':status']; });
		request.on('trailers', (received) => { trailers = received; });
		request.on('data', (chunk) => chunks.push(chunk));
		request.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString(), trailers }));
		request.on('error', reject);
		request.end(body);
	});
}

test('HTTP/2 streams of one connection, at once: bodies both ways, trailers back, the header added unless the request carries it', { timeout: 30_000 }, async () => {
	const big = 'x'.repeat(300_000);
	const answers = await Promise.all([
		call('/one', 'first'),
		call('/two', big),
		call('/three', 'third', { 'x-dev': 'bob' }),
		...Array.from({ length: 5 }, (_, i) => call(`/many-${i}`, `body ${i}`)),
	]);
	assert.deepEqual(answers.map((a) => [a.status, a.body.length, a.trailers['grpc-status'], a.trailers['x-length']]), [
		[200, 5, '0', '5'], [200, 300_000, '0', '300000'], [200, 5, '0', '5'],
		...Array.from({ length: 5 }, () => [200, 6, '0', '6']),
	]);
	assert.equal(answers[0].body, 'FIRST');
	assert.equal(answers[3].body, 'BODY 0');
	assert.equal(seen.headers.get('/one')['x-dev'], 'alice');
	assert.equal(seen.headers.get('/two')['x-dev'], 'alice');
	assert.equal(seen.headers.get('/three')['x-dev'], 'bob', 'a header the request carries is kept');
	assert.equal(seen.headers.get('/many-4')['x-dev'], 'alice');
	assert.equal(seen.headers.get('/one')[':method'], 'POST');
});

test('a stream the local program resets is reset at the cluster, and one the cluster resets is reset locally', { timeout: 30_000 }, async () => {
	const arrived = new Promise((resolve) => seen.waiting.set('/hang', resolve));
	const hanging = h2Local.request({ ':path': '/hang' });
	hanging.on('error', () => undefined);
	await arrived;
	hanging.close(NGHTTP2_CANCEL);
	await waitFor(() => seen.resets.has('/hang'));
	assert.equal(seen.resets.get('/hang'), NGHTTP2_CANCEL);

	const refused = h2Local.request({ ':path': '/refuse' });
	refused.on('error', () => undefined);
	await new Promise((resolve) => refused.on('close', resolve));
	assert.equal(refused.rstCode, NGHTTP2_ENHANCE_YOUR_CALM);
	assert.equal((await call('/after', 'still')).body, 'STILL', 'the connection outlives its streams\' resets');
});

test('an HTTP/2 server\'s settings, sent before the program\'s preface arrived, wait for it: the connection is still bridged', { timeout: 30_000 }, async () => {
	const sessions = seen.sessionsOpened;
	const socket = net.connect(h2Port, '127.0.0.1');
	await once(socket, 'connect');
	// The cluster's server sends its settings as it accepts; the program speaks only after that.
	await waitFor(() => seen.sessionsOpened > sessions);
	const late = http2.connect(`http://127.0.0.1:${h2Port}`, { createConnection: () => socket });
	try {
		const request = late.request({ ':path': '/late' });
		request.resume();
		await new Promise((resolve, reject) => request.on('end', resolve).on('error', reject));
		assert.equal(seen.headers.get('/late')['x-dev'], 'alice');
	} finally {
		late.destroy();
	}
});

test('closing the local connection closes the cluster side\'s connection', { timeout: 30_000 }, async () => {
	const before = seen.sessionsClosed;
	await new Promise((resolve) => h2Local.close(resolve));
	await waitFor(() => seen.sessionsClosed > before);
});

test('HTTP/1 still gets the header through the inserter, also where the cluster\'s side speaks first: its greeting reaches the program before the program sends', { timeout: 30_000 }, async () => {
	const received = [];
	const plain = net.createServer((socket) => {
		const chunks = [];
		socket.write('220 ready\r\n');
		socket.on('data', (chunk) => chunks.push(chunk));
		socket.on('end', () => { received.push(Buffer.concat(chunks).toString('latin1')); socket.end(); });
	}).listen(0, '127.0.0.1');
	await once(plain, 'listening');
	closers.push(() => new Promise((resolve) => plain.close(resolve)));
	const port = await listenerTo(plain.address().port);
	const exchange = async (send, afterGreeting) => {
		const socket = net.connect(port, '127.0.0.1');
		let answer = '';
		socket.on('data', (chunk) => { answer += chunk; });
		if (afterGreeting) await waitFor(() => answer.length > 0);
		socket.end(send);
		await once(socket, 'close');
		return answer;
	};
	assert.equal(await exchange('GET / HTTP/1.1\r\nHost: web\r\n\r\n', false), '220 ready\r\n');
	assert.equal(await exchange('GET / HTTP/1.1\r\nHost: web\r\n\r\n', true), '220 ready\r\n');
	assert.deepEqual(received, Array(2).fill('GET / HTTP/1.1\r\nHost: web\r\nX-Dev: alice\r\n\r\n'));
});

async function waitFor(condition) {
	while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
