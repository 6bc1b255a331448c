// UDP over a tunnel's byte stream: datagram boundaries survive any split of the stream,
// oversized datagrams are dropped and counted without losing step, and a backed-up tunnel
// or UDP socket drops datagrams instead of queueing them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { Duplex, PassThrough } from 'node:stream';
import fc from 'fast-check';
import { DatagramDeframer, frameDatagram, MAX_DATAGRAM_BYTES } from '../../../out/agent/src/contract/datagram-frames.js';
import { DatagramRelay, relayOverSocket } from '../../../out/agent/src/contract/datagram-relay.js';
import { DatagramFlows } from '../../../out/agent/src/contract/datagram-flows.js';

/** Cuts `wire` at the given fractions into chunks, as a stream may deliver it. */
function cut(wire, fractions) {
	const points = [...new Set(fractions.map((f) => Math.floor(f * wire.length)))].sort((a, b) => a - b);
	const chunks = [];
	let from = 0;
	for (const at of [...points, wire.length]) {
		chunks.push(wire.subarray(from, at));
		from = at;
	}
	return chunks;
}

test('datagrams come back one for one, in order, however the stream is split (empty ones included)', () => {
	fc.assert(fc.property(
		fc.array(fc.uint8Array({ maxLength: 3000 }), { maxLength: 30 }),
		fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 }),
		(datagrams, fractions) => {
			const wire = Buffer.concat(datagrams.map((d) => frameDatagram(Buffer.from(d))));
			const deframer = new DatagramDeframer();
			const out = cut(wire, fractions).flatMap((chunk) => deframer.push(chunk));
			assert.deepEqual(out.map((d) => [...d]), datagrams.map((d) => [...d]));
			assert.equal(deframer.oversize, 0);
		}));
});

test('a datagram larger than UDP carries is refused at the sender, and a frame past the limit is skipped whole and counted', () => {
	assert.equal(frameDatagram(Buffer.alloc(MAX_DATAGRAM_BYTES + 1)), null);
	assert.equal(frameDatagram(Buffer.alloc(MAX_DATAGRAM_BYTES)).length, MAX_DATAGRAM_BYTES + 4);
	// A peer with a larger limit sends a frame this side will not take: the datagrams around it still arrive.
	const big = frameDatagram(Buffer.alloc(5000, 7), 10_000);
	const wire = Buffer.concat([frameDatagram(Buffer.from('before')), big, frameDatagram(Buffer.from('after'))]);
	for (const step of [1, 3, 997, wire.length]) {
		const deframer = new DatagramDeframer(4096);
		const out = [];
		for (let at = 0; at < wire.length; at += step) out.push(...deframer.push(wire.subarray(at, at + step)));
		assert.deepEqual(out.map(String), ['before', 'after'], `chunks of ${step}`);
		assert.equal(deframer.oversize, 1);
	}
});

/** A tunnel end whose writes go nowhere and stay buffered: a stream that backed up. */
function stalledTunnel() {
	return new Duplex({ read() {}, write(_chunk, _enc, _done) { /* never done: the far side reads nothing */ }, highWaterMark: 1024 });
}

test('a backed-up tunnel drops new datagrams and counts them, rather than queueing without bound', () => {
	const tunnel = stalledTunnel();
	const relay = new DatagramRelay(tunnel, Buffer.alloc(0), { send() {}, queued: () => 0 }, { tunnelBytes: 10_000, socketDatagrams: 8 });
	const results = Array.from({ length: 100 }, () => relay.send(Buffer.alloc(1000)));
	const kept = results.filter(Boolean).length;
	assert.ok(kept >= 10 && kept <= 12, `kept ${kept}`);
	assert.equal(relay.counts.sent, kept);
	assert.equal(relay.counts.backlog, 100 - kept);
	assert.ok(tunnel.writableLength <= 10_000 + 1004, `buffered ${tunnel.writableLength}`);
	assert.equal(relay.send(Buffer.alloc(MAX_DATAGRAM_BYTES + 1)), false);
	assert.equal(relay.counts.oversize, 1);
	tunnel.destroy();
});

test('datagrams out of the tunnel are dropped while the UDP socket is backed up, and flow again once it drains', () => {
	const tunnel = new PassThrough();
	// Handed over paused, as the agent's pool hands a tunnel over: the relay reads it all the same.
	tunnel.pause();
	const delivered = [];
	let queued = 0;
	const relay = new DatagramRelay(tunnel, frameDatagram(Buffer.from('head')), { send: (d) => { delivered.push(String(d)); queued++; }, queued: () => queued },
		{ tunnelBytes: 1 << 20, socketDatagrams: 3 });
	// The other side's frames, as written into the tunnel by a relay there.
	for (let i = 0; i < 10; i++) tunnel.write(frameDatagram(Buffer.from(`d${i}`)));
	assert.deepEqual(delivered, ['head', 'd0', 'd1']);
	queued = 0;
	tunnel.write(frameDatagram(Buffer.from('later')));
	assert.deepEqual(delivered, ['head', 'd0', 'd1', 'later']);
	assert.deepEqual([relay.counts.received, relay.counts.backlog], [4, 8]);
});

const bound = (socket, port = 0) => new Promise((resolve) => socket.bind(port, '127.0.0.1', () => resolve(socket.address().port)));
const nextMessage = (socket) => new Promise((resolve) => socket.once('message', (d, from) => resolve({ data: String(d), from })));

test('each sender gets a flow and a socket of its own, replies go back to the sender that asked, and an idle flow ends', async () => {
	// The far end: an echo that answers every datagram with its own socket's port.
	const echo = createSocket('udp4');
	const echoPort = await bound(echo);
	echo.on('message', (d, from) => echo.send(`${d}@${from.port}`, from.port, from.address));
	const front = createSocket('udp4');
	const frontPort = await bound(front);
	const opened = [];
	const flows = new DatagramFlows(front, async (sender) => {
		const [near, far] = pairedStreams();
		const socket = createSocket('udp4');
		await new Promise((resolve) => socket.connect(echoPort, '127.0.0.1', resolve));
		relayOverSocket(far, Buffer.alloc(0), socket);
		opened.push({ sender: sender.port, socket: socket.address().port });
		return { socket: near, head: Buffer.alloc(0) };
	}, 300);
	const a = createSocket('udp4');
	const b = createSocket('udp4');
	await Promise.all([bound(a), bound(b)]);
	try {
		a.send('a1', frontPort, '127.0.0.1');
		const fromA = await nextMessage(a);
		b.send('b1', frontPort, '127.0.0.1');
		const fromB = await nextMessage(b);
		a.send('a2', frontPort, '127.0.0.1');
		const againA = await nextMessage(a);
		assert.equal(opened.length, 2, 'one flow per sender');
		assert.equal(fromA.data, `a1@${opened[0].socket}`);
		assert.equal(fromB.data, `b1@${opened[1].socket}`);
		assert.equal(againA.data, `a2@${opened[0].socket}`, 'the same flow carries the sender on');
		assert.equal(fromA.from.port, frontPort);
		assert.deepEqual(flows.counts(), { sent: 3, bytesSent: 6, received: 3, bytesReceived: fromA.data.length * 3, oversize: 0, backlog: 0, flows: 2, activeFlows: 2 });
		await waitUntil(() => flows.counts().activeFlows === 0, 5000);
		a.send('a3', frontPort, '127.0.0.1');
		assert.match((await nextMessage(a)).data, /^a3@/);
		assert.equal(opened.length, 3, 'after the idle timeout the sender gets a new flow');
		assert.equal(flows.counts().sent, 4, 'the counts of ended flows are kept');
	} finally {
		flows.close();
		for (const s of [echo, front, a, b]) s.close();
	}
});

/** Two ends of an in-memory byte stream, as a tunnel joins two relays. */
function pairedStreams() {
	const toFar = new PassThrough();
	const toNear = new PassThrough();
	const end = (readable, writable) => {
		const duplex = new Duplex({
			read() { readable.resume(); },
			write(chunk, _enc, done) { writable.write(chunk, done); },
			final(done) { writable.end(); done(); },
		});
		readable.on('data', (d) => duplex.push(d));
		readable.on('end', () => duplex.push(null));
		return duplex;
	};
	const near = end(toNear, toFar);
	const far = end(toFar, toNear);
	const closeBoth = () => { near.destroy(); far.destroy(); };
	near.once('finish', () => setImmediate(closeBoth));
	far.once('finish', () => setImmediate(closeBoth));
	return [near, far];
}

async function waitUntil(check, ms) {
	const deadline = Date.now() + ms;
	while (!check()) {
		if (Date.now() > deadline) assert.fail('timed out');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}
