import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { findPortHolders } from '../../../out/server/ports/port-holders.js';
import { freePort } from '../../../out/server/ports/free-port.js';
import { findFreePort, isPortFree } from '../../../out/server/ports/find-free-port.js';

const linux = process.platform === 'linux';
const children = new Set();
after(() => { for (const child of children) child.kill('SIGKILL'); });

/** A separate process listening on host:0 (or ignoring SIGTERM); resolves with it and its port. */
async function listener(host, { ignoreTerm = false } = {}) {
	const script = `${ignoreTerm ? "process.on('SIGTERM', () => {});" : ''}
		const s = require('net').createServer().listen(0, ${JSON.stringify(host)}, () => console.log(s.address().port));`;
	const child = spawn(process.execPath, ['-e', script, '--', 'kb-test-holder'], { stdio: ['ignore', 'pipe', 'inherit'] });
	children.add(child);
	child.once('exit', () => children.delete(child));
	const [line] = await once(child.stdout, 'data');
	return { child, port: Number(String(line).trim()) };
}

test('a listener the test starts is found with its pid and command line', { skip: !linux && 'reads /proc (Linux only)' }, async () => {
	const { child, port } = await listener('127.0.0.1');
	const holders = await findPortHolders(port, '127.0.0.1');
	assert.equal(holders.length, 1);
	assert.equal(holders[0].pid, child.pid);
	assert.equal(holders[0].address, '127.0.0.1');
	assert.match(holders[0].command, /node.* -e .*kb-test-holder/s);
	assert.deepEqual(await findPortHolders(port, '127.1.0.9'), [], 'another loopback address is free');
	assert.equal(await isPortFree('127.0.0.1', port), false);
});

test('a wildcard listener holds the port on every address', { skip: !linux && 'reads /proc (Linux only)' }, async () => {
	const { child, port } = await listener('::');
	const holders = await findPortHolders(port, '127.1.2.3');
	assert.deepEqual(holders.map((h) => [h.pid, h.address]), [[child.pid, '::']]);
});

test('freePort ends a holder with SIGTERM and the port becomes free', { skip: !linux && 'reads /proc (Linux only)' }, async () => {
	const { child, port } = await listener('127.0.0.1');
	const exit = once(child, 'exit');
	const done = await freePort('127.0.0.1', port, await findPortHolders(port, '127.0.0.1'), { graceMs: 2000 });
	assert.deepEqual(done, [{ pid: child.pid, how: 'exited' }]);
	assert.deepEqual((await exit)[1], 'SIGTERM');
	assert.ok(await isPortFree('127.0.0.1', port));
});

test('a holder that ignores SIGTERM is killed after the grace period', { skip: !linux && 'reads /proc (Linux only)' }, async () => {
	const { child, port } = await listener('127.0.0.1', { ignoreTerm: true });
	const exit = once(child, 'exit');
	const started = Date.now();
	const done = await freePort('127.0.0.1', port, await findPortHolders(port, '127.0.0.1'), { graceMs: 300 });
	assert.deepEqual(done, [{ pid: child.pid, how: 'killed' }]);
	assert.equal((await exit)[1], 'SIGKILL');
	assert.ok(Date.now() - started >= 300);
});

test('freePort refuses to stop kubebridge itself or a holder it cannot name', async () => {
	const self = [{ address: '127.0.0.1', port: 1, pid: process.pid, command: 'kubebridge' }];
	await assert.rejects(freePort('127.0.0.1', 1, self), (error) => error.data.reason === 'localPortInUse');
	const unknown = [{ address: '127.0.0.1', port: 1, pid: null, command: null }];
	await assert.rejects(freePort('127.0.0.1', 1, unknown), (error) => error.data.reason === 'localPortInUse');
});

test('findFreePort picks a nearby port when the wanted one is taken', async () => {
	const server = net.createServer();
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const taken = server.address().port;
	try {
		const other = await findFreePort('127.0.0.1', taken);
		assert.notEqual(other, taken);
		assert.ok(await isPortFree('127.0.0.1', other));
		assert.equal(await isPortFree('127.0.0.1', taken), false);
	} finally {
		server.close();
	}
});
