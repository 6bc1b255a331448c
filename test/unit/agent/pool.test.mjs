// The agent's tunnel pool with real sockets on loopback: a caller waiting for a tunnel
// that goes away on its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { TunnelPool } from '../../../out/agent/src/pool.js';
import { waitUntil } from '../../helpers/wait-until.mjs';

test('a caller that resets while it waits for a tunnel is dropped without an error nobody hears', async () => {
	const waits = [];
	const pool = new TunnelPool(() => true, (count) => waits.push(count));
	const callers = [];
	const server = createServer({ allowHalfOpen: true }, (socket) => { callers.push(socket); pool.offerCaller(socket, 9000); });
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	try {
		for (let i = 0; i < 5; i++) {
			const caller = connect(server.address().port, '127.0.0.1');
			caller.on('error', () => undefined);
			await new Promise((resolve) => caller.once('connect', resolve));
			caller.write('GET / HTTP/1.1\r\n\r\n');
			await waitUntil(() => callers.length === i + 1);
			caller.resetAndDestroy();
			await waitUntil(() => callers[i].destroyed);
			await sleep(20);
		}
		assert.deepEqual(waits, [1, 1, 1, 1, 1], 'each waited alone: the one before was forgotten when it went');
	} finally {
		server.close();
	}
});
