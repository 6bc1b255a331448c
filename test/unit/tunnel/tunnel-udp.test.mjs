// UDP through the real agent program and the sidecar's AgentLink on this machine, joined
// through a stand-in for the port-forward: a caller's datagrams reach the local program
// from a socket of their own and the replies come back to that caller; the agent's dial
// sends a flow's datagrams to a UDP peer and relays its replies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { tunnelOver } from '../../../out/server/tunnel/agent-exchange.js';
import { frameDatagram, DatagramDeframer } from '../../../out/agent/src/contract/datagram-frames.js';
import { freePort } from '../../helpers/local-agent.mjs';
import { startLinkedAgent } from '../../helpers/linked-agent.mjs';
import { waitUntil } from '../../helpers/wait-until.mjs';

let linked, agentUdpPort, local, link;
const senders = new Set();

const bound = (socket, port = 0) => new Promise((resolve) => socket.bind(port, '127.0.0.1', () => resolve(socket.address().port)));

/** A UDP echo that answers `prefix` + each datagram to its sender. */
async function udpEcho(prefix, seen = new Set()) {
	const socket = createSocket('udp4');
	socket.on('message', (d, from) => {
		seen.add(from.port);
		socket.send(Buffer.concat([Buffer.from(prefix), d]), from.port, from.address);
	});
	return { socket, port: await bound(socket) };
}

/** Sends `count` numbered datagrams one after another, each once its answer came (or after 500 ms); resolves with the answers. */
async function askEach(socket, port, count, size) {
	const answers = [];
	for (let i = 0; i < count; i++) {
		const datagram = Buffer.concat([Buffer.from(`${i}:`), Buffer.alloc(size, 120)]);
		const answer = await new Promise((resolve) => {
			const timer = setTimeout(() => { socket.off('message', on); resolve(null); }, 500);
			const on = (reply) => { clearTimeout(timer); socket.off('message', on); resolve(reply); };
			socket.on('message', on);
			socket.send(datagram, port, '127.0.0.1');
		});
		answers.push(answer && answer.toString('latin1') === `L:${datagram.toString('latin1')}`);
	}
	return answers;
}

before(async () => {
	local = await udpEcho('L:', senders);
	agentUdpPort = await freePort();
	linked = await startLinkedAgent({ udpPorts: new Map([[agentUdpPort, local.port]]) });
	link = linked.link;
});

test("the link's serving state names the agent's UDP ports beside its TCP ones", () => {
	assert.deepEqual(linked.states.find((s) => s.state === 'serving'), { state: 'serving', detail: `agent on ports ${linked.appPort}, ${agentUdpPort}/udp` });
});

after(async () => {
	await linked.stop();
	local.socket.close();
});

test("datagrams to the agent's UDP port reach the local program, one sender each, and every reply reaches its sender", async () => {
	const callers = [createSocket('udp4'), createSocket('udp4')];
	await Promise.all(callers.map((c) => bound(c)));
	try {
		const answers = await Promise.all(callers.map((c, n) => askEach(c, agentUdpPort, 50, 700 * n)));
		assert.deepEqual(answers.flat().filter((ok) => !ok).length, 0, 'every datagram answered, exactly');
		assert.equal(senders.size, 2, 'each caller is a sender of its own to the local program');
		const { udp } = link.stats();
		assert.deepEqual([udp.flows, udp.activeFlows, udp.toLocal, udp.fromLocal, udp.droppedOversize, udp.droppedBacklog], [2, 2, 100, 100, 0, 0]);
		await waitUntil(() => link.stats().udp.agent?.fromCallers === 100, 10_000);
		assert.deepEqual(link.stats().udp.agent, { flows: 2, activeFlows: 2, fromCallers: 100, toCallers: 100, droppedOversize: 0, droppedBacklog: 0 });
	} finally {
		for (const c of callers) c.close();
	}
});

test('a UDP dial: the agent sends the flow from a socket of its own and relays what the peer answers, boundaries kept', async () => {
	const peer = await udpEcho('P:');
	try {
		const socket = await new Promise((resolve, reject) => {
			const s = connect(linked.address.controlPort, '127.0.0.1', () => resolve(s));
			s.once('error', reject);
		});
		const tunnel = await tunnelOver(socket, linked.address,
			`/v1/dial?host=127.0.0.1&port=${peer.port}&transport=udp`);
		const deframer = new DatagramDeframer();
		const replies = [];
		for (const d of deframer.push(tunnel.head)) replies.push(String(d));
		tunnel.socket.on('data', (chunk) => { for (const d of deframer.push(chunk)) replies.push(String(d)); });
		tunnel.socket.write(Buffer.concat(['a', 'bb', '', 'ccc'].map((text) => frameDatagram(Buffer.from(text)))));
		await waitUntil(() => replies.length === 4);
		assert.deepEqual(replies, ['P:a', 'P:bb', 'P:', 'P:ccc']);
		tunnel.socket.end();
	} finally {
		peer.socket.close();
	}
});
