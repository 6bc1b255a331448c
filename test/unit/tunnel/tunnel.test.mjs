// The tunnel end to end on this machine: the real agent program and the sidecar's
// AgentLink, joined through stand-ins for the port-forward endpoint: the events stream
// over a WebSocket forward of its own, each tunnel a SPDY session of its own, as
// against a real API server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { PodStreams } from '../../../out/server/cluster/pod-streams.js';
import { AgentLink } from '../../../out/server/tunnel/agent-link.js';
import { Logger } from '../../../out/server/log/logger.js';
import { startFakePortForward } from '../../helpers/fake-portforward.mjs';
import { startFakeSpdyPortForward } from '../../helpers/fake-spdy-portforward.mjs';
import { freePort, startLocalAgent } from '../../helpers/local-agent.mjs';
import { waitUntil } from '../../helpers/wait-until.mjs';

let forward, spdy, tunnels, agent, appPort, localPort, localServer, link;
const events = [];
const refused = [];

/** Connects as a caller in the cluster would, sends `payload`, half-closes and reads to the end. */
function roundTrip(port, payload) {
	return new Promise((resolve, reject) => {
		const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
		const chunks = [];
		socket.on('data', (chunk) => chunks.push(chunk));
		socket.on('end', () => { socket.end(); resolve(Buffer.concat(chunks)); });
		socket.on('error', reject);
		socket.end(payload);
	});
}

before(async () => {
	forward = await startFakePortForward();
	spdy = await startFakeSpdyPortForward();
	tunnels = PodStreams.over(spdy.endpoint);
	appPort = await freePort();
	localPort = await freePort();
	// The "local process": an echo server that answers after the caller half-closed.
	localServer = createServer({ allowHalfOpen: true }, (socket) => {
		const chunks = [];
		socket.on('data', (c) => chunks.push(c));
		socket.on('end', () => socket.end(Buffer.concat(chunks)));
	});
	await new Promise((resolve) => localServer.listen(localPort, '127.0.0.1', resolve));
	agent = await startLocalAgent([appPort]);
	link = new AgentLink(forward.endpoint, tunnels, { namespace: 'ns', pod: 'pod', controlPort: agent.controlPort, token: agent.token },
		new Map([[appPort, localPort]]),
		{ stateChanged: (pod, state) => events.push(state), localRefused: (local, remote) => refused.push([local, remote]), localAccepted: () => undefined },
		new Logger(null));
	link.start();
	await waitUntil(() => link.stats().state === 'serving' && link.stats().idleTunnels > 0);
});

after(async () => {
	link.stop();
	tunnels.close();
	await agent.stop();
	await forward.close();
	await spdy.close();
	localServer.close();
});

test('a caller of the agent port is answered by the local process, bytes intact both ways after a half-close', async () => {
	const payload = randomBytes(3 * 1024 * 1024);
	const answer = await roundTrip(appPort, payload);
	assert.equal(answer.length, payload.length);
	assert.ok(answer.equals(payload));
});

test('many callers at once each get their own tunnel, each on a port-forward session of its own', async () => {
	const before = spdy.peers.length;
	const waiting = link.stats().idleTunnels;
	const payloads = Array.from({ length: 24 }, (_, i) => Buffer.from(`caller ${i} `.repeat(1000)));
	const answers = await Promise.all(payloads.map((p) => roundTrip(appPort, p)));
	answers.forEach((a, i) => assert.ok(a.equals(payloads[i]), `caller ${i}`));
	assert.ok(spdy.peers.length - before >= 24 - waiting, `${spdy.peers.length - before} sessions opened for 24 callers`);
});

test('with nothing listening locally the caller is reset at once, and the sidecar says so once', async () => {
	await new Promise((resolve) => localServer.close(resolve));
	const started = Date.now();
	for (let i = 0; i < 3; i++) {
		const error = await roundTrip(appPort, 'hello').then(() => null, (e) => e);
		assert.ok(error, 'the caller is refused');
		assert.equal(error.code, 'ECONNRESET');
	}
	assert.ok(Date.now() - started < 3000, 'no hang');
	assert.deepEqual(refused, [[localPort, appPort]]);
	await new Promise((resolve) => localServer.listen(localPort, '127.0.0.1', resolve));
	assert.ok((await roundTrip(appPort, 'back')).equals(Buffer.from('back')));
});

test('when every forward drops, the link reconnects by itself and serves again', async () => {
	forward.dropAll();
	for (const peer of spdy.peers) peer.destroy();
	await waitUntil(() => events.includes('reconnecting'));
	await waitUntil(() => link.stats().state === 'serving' && link.stats().idleTunnels > 0, 10_000);
	assert.ok((await roundTrip(appPort, 'again')).equals(Buffer.from('again')));
});

test('after the API server was unreachable for seconds, a link serves again by itself', async () => {
	let down = false;
	let attempts = 0;
	// The same forwards, or a closed port while "down": every connect of the link is refused.
	const reachable = (real) => ({
		get server() { attempts++; return down ? 'http://127.0.0.1:1' : real.server; },
		options: real.options,
	});
	const secondTunnels = PodStreams.over(reachable(spdy.endpoint));
	const states = [];
	const second = new AgentLink(reachable(forward.endpoint), secondTunnels, { namespace: 'ns', pod: 'pod', controlPort: agent.controlPort, token: agent.token },
		new Map([[appPort, localPort]]),
		{ stateChanged: (pod, state) => states.push(state), localRefused: () => undefined, localAccepted: () => undefined }, new Logger(null));
	try {
		second.start();
		await waitUntil(() => second.stats().state === 'serving');
		down = true;
		forward.dropAll();
		for (const peer of spdy.peers) peer.destroy();
		await waitUntil(() => states.includes('reconnecting'));
		const before = attempts;
		await new Promise((resolve) => setTimeout(resolve, 3000));
		assert.ok(attempts > before, 'it kept trying while the API server was down');
		down = false;
		await waitUntil(() => second.stats().state === 'serving' && second.stats().idleTunnels > 0, 10_000);
		assert.deepEqual(states.slice(-2), ['reconnecting', 'serving']);
		assert.ok((await roundTrip(appPort, 'back')).equals(Buffer.from('back')));
	} finally {
		second.stop();
		secondTunnels.close();
	}
});

test('the control port refuses a request without the session token', async () => {
	const response = await fetch(`http://127.0.0.1:${agent.controlPort}/v1/status`, { headers: { authorization: 'Bearer wrong' } });
	assert.equal(response.status, 401);
	const ok = await fetch(`http://127.0.0.1:${agent.controlPort}/v1/status`, { headers: { authorization: `Bearer ${agent.token}` } });
	assert.equal(ok.status, 200);
	assert.equal((await ok.json()).pod, 'local-agent');
});
