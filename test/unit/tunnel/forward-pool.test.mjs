// Warm port-forwards for outbound dials: taken ones are replaced, idle ones expire without
// replacement, dead ones leave the pool, and a dial on a warm forward that died unseen is
// made again on a new one (the agent's own refusal is not).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { ForwardPool } from '../../../out/server/tunnel/forward-pool.js';
import { dialThroughAgent } from '../../../out/server/tunnel/agent-dial.js';
import { AgentRefused } from '../../../out/server/tunnel/agent-exchange.js';
import { TUNNEL_UPGRADE } from '../../../out/agent/src/contract/contract.js';
import { waitUntil } from '../../helpers/wait-until.mjs';

const agent = { namespace: 'shop', pod: 'api-1', controlPort: 7000, token: 't' };

function fakeForwards() {
	const opened = [];
	return { opened, open: async () => { const forward = new PassThrough(); opened.push(forward); return forward; } };
}

test('a take is replaced, so the next one is warm; a forward that closes while waiting leaves the pool', async () => {
	const { opened, open } = fakeForwards();
	const pool = new ForwardPool(open, 2, 60_000);
	const cold = await pool.take();
	assert.equal(cold.warm, false);
	await waitUntil(() => pool.waiting === 2);
	const warm = await pool.take();
	assert.equal(warm.warm, true);
	assert.ok(opened.includes(warm.forward));
	await waitUntil(() => pool.waiting === 2);
	assert.equal(opened.length, 4, 'one cold, two to fill, one to replace the warm one taken');
	const [waiting] = opened.slice(-2);
	waiting.destroy();
	await waitUntil(() => pool.waiting === 1);
	assert.equal(opened.length, 4, 'a forward that died is not replaced until the next take');
	pool.close();
	assert.equal(pool.waiting, 0);
	assert.ok(opened.slice(1).filter((f) => f !== warm.forward).every((f) => f.destroyed), 'close destroys the waiting ones');
});

test('forwards unused for the idle time are closed and not replaced: a quiet session holds none', async () => {
	const { opened, open } = fakeForwards();
	const pool = new ForwardPool(open, 2, 50);
	await pool.take();
	await waitUntil(() => pool.waiting === 2);
	await waitUntil(() => pool.waiting === 0);
	assert.equal(opened.length, 3);
	assert.ok(opened.slice(1).every((f) => f.destroyed));
});

test('a dial on a warm forward that died unseen is made on a new one; a refusal of the agent is final', async (t) => {
	let requests = 0;
	const server = createServer((request, response) => { response.writeHead(502).end('connection refused'); });
	server.on('upgrade', (request, socket) => {
		requests++;
		// The second request arrives on the first warm forward: the agent behind it is gone.
		if (requests === 2) { socket.destroy(); return; }
		socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${TUNNEL_UPGRADE}\r\n\r\n`);
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	t.after(() => { server.closeAllConnections(); server.close(); });
	const open = async () => { const socket = connect(server.address().port, '127.0.0.1'); await once(socket, 'connect'); return socket; };
	const pool = new ForwardPool(open, 1, 60_000);
	t.after(() => pool.close());
	const first = await dialThroughAgent(pool, agent, 'orders', 80);
	first.socket.destroy();
	await waitUntil(() => pool.waiting === 1);
	const second = await dialThroughAgent(pool, agent, 'orders', 80);
	assert.equal(requests, 3, 'the warm forward failed and the dial was made again');
	second.socket.destroy();
	server.removeAllListeners('upgrade');
	server.on('upgrade', (request, socket) => socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 18\r\nConnection: close\r\n\r\nconnection refused'));
	await waitUntil(() => pool.waiting === 1);
	await assert.rejects(dialThroughAgent(pool, agent, 'orders', 81), (error) => error instanceof AgentRefused && error.status === 502);
});
