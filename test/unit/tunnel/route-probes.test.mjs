// The probes connect sends to a service's cluster IP, on this machine: the real agent
// program dials them as it would in a pod, the sidecar's AgentLink catches the ones that
// reach it, and the local process never sees one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import { webSocketForwarder } from '../../../out/server/cluster/pod-streams.js';
import { AgentLink } from '../../../out/server/tunnel/agent-link.js';
import { dialThroughAgent } from '../../../out/server/tunnel/agent-dial.js';
import { DialPools } from '../../../out/server/tunnel/forward-pool.js';
import { RouteProbes } from '../../../out/server/tunnel/route-probes.js';
import { Logger } from '../../../out/server/log/logger.js';
import { startFakePortForward } from '../../helpers/fake-portforward.mjs';
import { freePort, startLocalAgent } from '../../helpers/local-agent.mjs';
import { waitUntil } from '../../helpers/wait-until.mjs';

let forward, agent, appPort, localPort, link, address;
const probes = new RouteProbes();
const refused = [];
/** What the local process was sent, one entry per connection. */
const localConnections = [];
let localServer;

/** An echo server that records what each connection sent; `greeting` is written first, as a server-speaks-first protocol does. */
async function startRecordingServer(port, record, greeting = '') {
	const server = createServer({ allowHalfOpen: true }, (socket) => {
		const entry = { bytes: Buffer.alloc(0) };
		record.push(entry);
		if (greeting) socket.write(greeting);
		socket.on('data', (c) => { entry.bytes = Buffer.concat([entry.bytes, c]); });
		socket.on('end', () => socket.end(entry.bytes));
		socket.on('error', () => undefined);
	});
	await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
	return server;
}

/** A hop that opens its connection to `port`, and passes bytes and the end on, only after `ms`: a slow way through the cluster. */
async function delayingRelay(port, ms) {
	const sockets = new Set();
	const server = createServer({ allowHalfOpen: true }, (from) => {
		sockets.add(from);
		from.on('error', () => undefined);
		const held = [];
		let ended = false;
		from.on('data', (c) => held.push(c));
		from.on('close', () => { ended = true; });
		setTimeout(() => {
			const to = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
			sockets.add(to);
			to.on('error', () => undefined);
			for (const c of held) to.write(c);
			if (ended) to.end();
			else from.on('close', () => to.end());
			from.on('data', (c) => to.write(c));
		}, ms);
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { port: server.address().port, close: () => { for (const s of sockets) s.destroy(); server.close(); } };
}

const relays = [];
let pools;
const probeTo = async (port) => probes.send(await dialThroughAgent(pools.of(address), address, '127.0.0.1', port), 3000);

before(async () => {
	forward = await startFakePortForward();
	pools = new DialPools(forward.endpoint);
	appPort = await freePort();
	localPort = await freePort();
	localServer = await startRecordingServer(localPort, localConnections);
	agent = await startLocalAgent([appPort]);
	address = { namespace: 'ns', pod: 'agent-0', controlPort: agent.controlPort, token: agent.token };
	link = new AgentLink(forward.endpoint, webSocketForwarder(forward.endpoint), address, new Map([[appPort, localPort]]),
		{ stateChanged: () => undefined, localRefused: (local, remote) => refused.push([local, remote]), localAccepted: () => undefined },
		new Logger(null), probes);
	link.start();
	await waitUntil(() => link.stats().state === 'serving' && link.stats().idleTunnels > 0);
});

after(async () => {
	for (const relay of relays) relay.close();
	pools.close();
	link.stop();
	await agent.stop();
	await forward.close();
	localServer.close();
});

test('a probe that reaches an agent is caught by its link, and the local process never sees it', async () => {
	const caught = await probes.watch(() => Promise.all([probeTo(appPort), probeTo(appPort), probeTo(appPort)]));
	assert.deepEqual(caught, ['agent-0', 'agent-0', 'agent-0']);
	await new Promise((resolve) => setTimeout(resolve, 200));
	assert.equal(localConnections.length, 0);
	assert.equal(link.stats().totalConnections, 0, 'probes are not counted as callers');
});

test('a probe that reaches something else (an original pod) is not caught, and a refusal is known at once', async () => {
	const originalPort = await freePort();
	const seen = [];
	// As an HTTP server would: a request it cannot parse is answered 400 and closed.
	const server = createServer((socket) => {
		socket.on('error', () => undefined);
		socket.once('data', (bytes) => { seen.push(bytes); socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'); });
	});
	await new Promise((resolve) => server.listen(originalPort, '127.0.0.1', resolve));
	try {
		const started = Date.now();
		assert.equal(await probes.watch(() => probeTo(originalPort)), null);
		assert.ok(Date.now() - started < 2000, `a miss is known before the probe times out (${Date.now() - started} ms)`);
		assert.match(seen[0].toString('latin1'), /^KUBEBRIDGE-ROUTE-PROBE [0-9a-f]{32}\r\n$/, 'the original saw a readable marker');
	} finally {
		server.close();
	}
});

test('while probes run, a real caller still reaches the local process with its bytes intact', async () => {
	const payload = Buffer.from('GET / HTTP/1.1\r\nHost: api\r\n\r\n'.repeat(2000));
	const answer = await probes.watch(() => new Promise((resolve, reject) => {
		const socket = connect({ host: '127.0.0.1', port: appPort, allowHalfOpen: true });
		const chunks = [];
		socket.on('data', (c) => chunks.push(c));
		socket.on('end', () => { socket.end(); resolve(Buffer.concat(chunks)); });
		socket.on('error', reject);
		socket.end(payload);
	}));
	assert.ok(answer.equals(payload));
	assert.ok(localConnections.at(-1).bytes.equals(payload));
});

test('while probes run, a caller that waits for the server to speak first is handed on after a short look', async () => {
	const greetingPort = await freePort();
	const greeted = [];
	const server = await startRecordingServer(greetingPort, greeted, '220 ready\r\n');
	const second = new AgentLink(forward.endpoint, webSocketForwarder(forward.endpoint), address, new Map([[appPort, greetingPort]]),
		{ stateChanged: () => undefined, localRefused: () => undefined, localAccepted: () => undefined }, new Logger(null), probes);
	link.stop();
	try {
		second.start();
		await waitUntil(() => second.stats().state === 'serving' && second.stats().idleTunnels > 0);
		const started = Date.now();
		const greeting = await probes.watch(() => new Promise((resolve, reject) => {
			const socket = connect({ host: '127.0.0.1', port: appPort });
			socket.once('data', (c) => { socket.destroy(); resolve(c.toString()); });
			socket.on('error', reject);
		}));
		assert.equal(greeting, '220 ready\r\n');
		assert.ok(Date.now() - started < 2500, `greeted after ${Date.now() - started} ms`);
	} finally {
		second.stop();
		server.close();
	}
});

test('a probe while nothing listens locally raises no "nothing listens" warning', async () => {
	const quiet = [];
	const nowhere = await freePort();
	const third = new AgentLink(forward.endpoint, webSocketForwarder(forward.endpoint), address, new Map([[appPort, nowhere]]),
		{ stateChanged: () => undefined, localRefused: (local) => quiet.push(local), localAccepted: () => undefined }, new Logger(null), probes);
	try {
		third.start();
		await waitUntil(() => third.stats().state === 'serving' && third.stats().idleTunnels > 0);
		assert.equal(await probes.watch(() => probeTo(appPort)), 'agent-0');
		await new Promise((resolve) => setTimeout(resolve, 200));
		assert.deepEqual(quiet, []);
	} finally {
		third.stop();
	}
});

test('a marker that arrives after its probe gave up is still no caller, for a while after the probes end', async () => {
	const late = new RouteProbes(1500);
	const lateLocalPort = await freePort();
	const seen = [];
	const server = await startRecordingServer(lateLocalPort, seen);
	// An agent of its own: the links stopped above may still hold tunnels at the shared one.
	const lateAppPort = await freePort();
	const lateAgent = await startLocalAgent([lateAppPort]);
	const lateAddress = { namespace: 'ns', pod: 'agent-1', controlPort: lateAgent.controlPort, token: lateAgent.token };
	const fourth = new AgentLink(forward.endpoint, webSocketForwarder(forward.endpoint), lateAddress, new Map([[lateAppPort, lateLocalPort]]),
		{ stateChanged: () => undefined, localRefused: () => undefined, localAccepted: () => undefined }, new Logger(null), late);
	try {
		fourth.start();
		await waitUntil(() => fourth.stats().state === 'serving' && fourth.stats().idleTunnels > 0);
		// The marker leaves at once but reaches the agent 400 ms later, long after its probe gave up.
		const slow = await delayingRelay(lateAppPort, 400);
		relays.push(slow);
		assert.equal(await late.watch(async () => late.send(await dialThroughAgent(pools.of(lateAddress), lateAddress, '127.0.0.1', slow.port), 50)), null);
		assert.equal(late.watching, true, 'callers are still looked at once the probes are over');
		await new Promise((resolve) => setTimeout(resolve, 800));
		assert.deepEqual(seen, [], 'the late marker never reached the local process');
		assert.equal(fourth.stats().totalConnections, 0);
		await waitUntil(() => !late.watching, 3000);
	} finally {
		fourth.stop();
		await lateAgent.stop();
		server.close();
	}
});

test('a probe abandoned while its dial was still being connected keeps callers looked at for a while', async () => {
	const abandoned = new RouteProbes(300);
	assert.equal(abandoned.watching, false);
	abandoned.expectLate();
	assert.equal(abandoned.watching, true, 'its connection may still reach an agent');
	await waitUntil(() => !abandoned.watching, 2000);
});

test('a caller\'s first bytes are judged only as far as they can tell', () => {
	const judge = (text) => probes.judge(Buffer.from(text, 'latin1'), 'pod');
	assert.equal(judge('KUBEBRIDGE-ROUTE'), 'undecided');
	assert.equal(judge(`KUBEBRIDGE-ROUTE-PROBE ${'a'.repeat(32)}`), 'undecided');
	assert.equal(judge(`KUBEBRIDGE-ROUTE-PROBE ${'a'.repeat(32)}\r\n`), 'probe', 'a marker no probe waits for any more is still no caller');
	assert.equal(judge(`KUBEBRIDGE-ROUTE-PROBE ${'z'.repeat(32)}\r\n`), 'caller');
	assert.equal(judge('GET / HTTP/1.1\r\n'), 'caller');
	assert.equal(judge('K'), 'undecided');
	assert.equal(probes.watching, false, 'callers are looked at only while probes run');
});
