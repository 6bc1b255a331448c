import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { startFakeSpdyPortForward } from '../../helpers/fake-spdy-portforward.mjs';
import { ForwardFailed, PortForwardSession } from '../../../out/server/cluster/port-forward-session.js';
import { ForwardRefused, openPortForwardSocket } from '../../../out/server/cluster/portforward-socket.js';
import { SpdySession } from '../../../out/server/cluster/spdy/spdy-session.js';
import { STREAM_RECEIVE_WINDOW } from '../../../out/server/cluster/spdy/spdy-stream.js';
import { SessionGoneAway, StreamReset } from '../../../out/server/cluster/spdy/spdy-errors.js';
import { WebSocketBytes } from '../../../out/server/cluster/websocket-bytes.js';

const TARGET = { namespace: 'ns', pod: 'pod' };
const MiB = 1024 * 1024;

/** A TCP server on loopback: `echo` answers what it gets, `source` sends `bytes` and ends. */
async function startServer(kind, bytes = 0) {
	const server = net.createServer((socket) => {
		socket.on('error', () => undefined);
		if (kind === 'echo') socket.pipe(socket);
		else socket.end(Buffer.alloc(bytes, 1));
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	return { port: server.address().port, close: () => { server.close(); } };
}

/** A fake API server and an echo server behind it, both gone after the test. */
async function fakeWithEcho(t, options) {
	const fake = await startFakeSpdyPortForward(options);
	const echo = await startServer('echo');
	t.after(async () => { echo.close(); await fake.close(); });
	return { fake, echo };
}

const readAll = async (stream) => {
	let length = 0;
	for await (const chunk of stream) length += chunk.length;
	return length;
};

async function echoThrough(stream, bytes) {
	const sent = Buffer.alloc(bytes);
	for (let i = 0; i < bytes; i++) sent[i] = i % 251;
	const received = [];
	stream.on('data', (chunk) => received.push(chunk));
	stream.write(sent);
	let length = 0;
	while ((length = received.reduce((sum, c) => sum + c.length, 0)) < bytes) await once(stream, 'data');
	assert.equal(length, bytes);
	assert.ok(Buffer.concat(received).equals(sent), 'the bytes came back as sent');
}

test('one session carries many forwards at once, each a stream pair, bytes intact', async (t) => {
	const { fake, echo } = await fakeWithEcho(t);
	const session = await PortForwardSession.open(fake.endpoint, TARGET);
	const forwards = await Promise.all(Array.from({ length: 16 }, () => session.forward(echo.port)));
	await Promise.all(forwards.map((forward, i) => echoThrough(forward, 256 * 1024 + i)));
	assert.equal(fake.peers.length, 1, 'one WebSocket for all sixteen');
	const peer = fake.peers[0];
	assert.deepEqual([0, 15].map((id) => [peer.streamOf(id, 'error').headers.get('port'), peer.streamOf(id, 'data').headers.get('streamtype')]),
		[[String(echo.port), 'data'], [String(echo.port), 'data']]);
	session.close();
	await once(session, 'close');
});

test("what the kubelet writes on the error stream fails the forward, with its words", async (t) => {
	const fake = await startFakeSpdyPortForward();
	const closed = await startServer('echo');
	closed.close();
	t.after(() => fake.close());
	const session = await PortForwardSession.open(fake.endpoint, TARGET);
	// The kubelet's words can come before the pair is open (forward rejects) or after (the stream fails).
	const error = await session.forward(closed.port).then(async (forward) => (await once(forward, 'error'))[0], (rejected) => rejected);
	assert.ok(error instanceof ForwardFailed, String(error));
	assert.match(error.message, /ECONNREFUSED/);
	assert.ok(session.isOpen, 'the session goes on');
	session.close();
});

test('an API server that does not take the SPDY subprotocol refuses the session, with its status', async (t) => {
	const fake = await startFakeSpdyPortForward({ refuseProtocol: true });
	t.after(() => fake.close());
	await assert.rejects(PortForwardSession.open(fake.endpoint, TARGET), (error) => error instanceof ForwardRefused && error.status === 400);
});

/** A session of this side's own, with SPDY's flow control on, and forwards opened by hand as PortForwardSession does. */
async function flowSession(endpoint, peerFlowControl) {
	const session = await openPortForwardSocket(endpoint, '/api/v1/namespaces/ns/pods/pod/portforward', 'SPDY/3.1+portforward.k8s.io',
		(ws) => new SpdySession(new WebSocketBytes(ws), { peerFlowControl }));
	let requestId = 0;
	const forward = async (port) => {
		const id = String(requestId++);
		const headers = (type) => [['streamtype', type], ['port', String(port)], ['requestid', id]];
		const errors = await session.openStream(headers('error'), { fin: true });
		const data = await session.openStream(headers('data'));
		await Promise.all([errors.replied, data.replied]);
		errors.on('error', () => undefined).resume();
		return data;
	};
	return { session, forward };
}

test('with a peer that keeps windows, a reader that stops stalls its own stream only, holding no more than its window', async (t) => {
	const fake = await startFakeSpdyPortForward({ flowControl: true, window: 64 * 1024 });
	const source = await startServer('source', 12 * MiB);
	t.after(async () => { source.close(); await fake.close(); });
	const { session, forward } = await flowSession(fake.endpoint, true);
	const stalled = await forward(source.port);
	const flowing = await forward(source.port);
	assert.equal(await readAll(flowing), 12 * MiB, 'the other stream got everything while this one read nothing');
	assert.ok(stalled.readableLength <= STREAM_RECEIVE_WINDOW, `${stalled.readableLength} bytes held for the stalled reader`);
	assert.ok(stalled.readableLength > 0);
	assert.equal(await readAll(stalled), 12 * MiB, 'and the stalled one gets the rest once read');
	session.destroy();
});

test("with a peer that keeps windows, writes stay within the peer's window and wait for its WINDOW_UPDATE", async (t) => {
	const { fake, echo } = await fakeWithEcho(t, { flowControl: true, window: 16 * 1024 });
	const { session, forward } = await flowSession(fake.endpoint, true);
	await echoThrough(await forward(echo.port), 2 * MiB);
	assert.equal(fake.peers[0].overruns, 0, 'no byte past the window the peer gave');
	session.destroy();
});

test('with a peer that ignores windows, as the kubelet does, a stopped reader stops the connection instead of filling memory', async (t) => {
	const fake = await startFakeSpdyPortForward();
	const source = await startServer('source', 32 * MiB);
	t.after(async () => { source.close(); await fake.close(); });
	const session = await PortForwardSession.open(fake.endpoint, TARGET);
	const stalled = await session.forward(source.port);
	await new Promise((resolve) => setTimeout(resolve, 500));
	// The hold starts past 2 MiB; the WebSocket's reads already under way land on top.
	assert.ok(stalled.readableLength <= 4 * MiB, `${stalled.readableLength} bytes held`);
	assert.ok(fake.peers[0].ws.bufferedAmount > 0 || stalled.readableLength >= 2 * MiB, 'the peer is held back');
	assert.equal(await readAll(stalled), 32 * MiB);
	session.close();
});

test("pings: the peer's are answered, this side's are timed", async (t) => {
	const fake = await startFakeSpdyPortForward();
	t.after(() => fake.close());
	const { session } = await flowSession(fake.endpoint, false);
	const rtt = await session.ping();
	assert.ok(rtt >= 0 && rtt < 5000);
	fake.peers[0].ping(2);
	await session.ping();
	assert.deepEqual(fake.peers[0].pingsAnswered, [2]);
	session.destroy();
});

test('RST_STREAM from the peer fails that stream with its status; the others go on', async (t) => {
	const { fake, echo } = await fakeWithEcho(t);
	const session = await PortForwardSession.open(fake.endpoint, TARGET);
	const reset = await session.forward(echo.port);
	const kept = await session.forward(echo.port);
	fake.peers[0].reset(fake.peers[0].streamOf(0, 'data').id, 6);
	const [error] = await once(reset, 'error');
	assert.ok(error instanceof StreamReset);
	assert.equal(error.status, 6);
	await echoThrough(kept, 64 * 1024);
	session.close();
});

test('GOAWAY fails the streams the peer never took and refuses new ones; the ones it took go on', async (t) => {
	const { fake, echo } = await fakeWithEcho(t);
	const { session, forward } = await flowSession(fake.endpoint, false);
	const taken = await forward(echo.port);
	const late = await session.openStream([['streamtype', 'data'], ['port', String(echo.port)], ['requestid', '9']]);
	fake.peers[0].goAway(taken.id);
	const [error] = await once(late, 'error');
	assert.ok(error instanceof SessionGoneAway);
	assert.equal(error.lastGoodStreamId, taken.id);
	await assert.rejects(session.openStream([['streamtype', 'error']]), SessionGoneAway);
	await echoThrough(taken, 64 * 1024);
	session.destroy();
});

test('the connection dropping fails every open forward', async (t) => {
	const { fake, echo } = await fakeWithEcho(t);
	const session = await PortForwardSession.open(fake.endpoint, TARGET);
	const forward = await session.forward(echo.port);
	const closed = once(session, 'close');
	fake.peers[0].destroy();
	const [error] = await once(forward, 'error');
	assert.equal(error.name, 'SessionClosed');
	await closed;
	assert.equal(session.isOpen, false);
	await assert.rejects(session.forward(echo.port), { name: 'SessionClosed' });
});
