import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { exec } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { killSessions, startSession } from '../../helpers/hosts-session-driver.mjs';
import { elevatedCommand, quoteForCmd, quoteForSh } from '../../../out/server/hosts/elevated-command.js';
import { Elevation, promptName } from '../../../out/server/hosts/elevation.js';

const run = promisify(exec);
const root = process.getuid() === 0;
const folders = [];
after(() => {
	killSessions();
	for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const ORIGINAL = Buffer.from('# hosts\r\n127.0.0.1 localhost\r\n::1 localhost');
const entries = [{ address: '127.1.4.17', names: ['orders', 'orders.shop', 'orders.shop.svc', 'orders.shop.svc.cluster.local'] }];

/**
 * A hosts file the session's user may read but not write. As root the session runs as
 * `nobody` with the file owned by root; otherwise the file and its folder are read-only.
 */
function readOnlyHosts() {
	const folder = mkdtempSync(join(tmpdir(), 'kb-hosts-elevation-'));
	folders.push(folder);
	const path = join(folder, 'hosts');
	writeFileSync(path, ORIGINAL);
	chmodSync(path, root ? 0o644 : 0o444);
	chmodSync(folder, root ? 0o755 : 0o555);
	return { path, as: root ? { uid: 65534, gid: 65534 } : {} };
}

/**
 * Runs the command exactly as sudo-prompt does on Linux: `/bin/bash -c "<command>"` with
 * only double quotes escaped, given to a shell. Without root, the owner lends itself write
 * access for the copy, as the administrator would have it.
 */
async function runElevated(command, path) {
	if (!root) chmodSync(path, 0o644);
	try {
		await run(`/bin/bash -c "${command.replace(/"/g, '\\"')}"`);
	} finally {
		if (!root) chmodSync(path, 0o444);
	}
}

test('a file the user cannot write is changed by one elevated copy per change, and comes back byte for byte', async () => {
	const { path, as } = readOnlyHosts();
	const requests = [];
	const session = await startSession({ sessionId: 'el1', path, platform: 'linux' }, {
		...as,
		onElevate: async (request) => {
			const prepared = /^cp '(\/[^']+\/kubebridge-hosts-[A-Za-z0-9]+\/hosts)' '([^']+)'$/.exec(request.command);
			assert.ok(prepared, `the command is one copy: ${request.command}`);
			assert.equal(prepared[2], path);
			requests.push({ ...request, prepared: readFileSync(prepared[1], 'latin1') });
			await runElevated(request.command, path);
		},
	});
	const added = await session.do('add', { entries, namespace: 'shop-prod' });
	assert.equal(added.result?.mode, 'elevated', JSON.stringify(added));
	assert.equal(requests.length, 1);
	assert.equal(requests[0].name, 'kubebridge adds 4 names for shop prod to the hosts file');
	assert.equal(requests[0].message, `kubebridge wants to add 4 names for namespace shop-prod to ${path}`);
	assert.equal(readFileSync(path, 'latin1'), requests[0].prepared, 'the file holds what was prepared');
	assert.match(requests[0].prepared, /\r\n127\.1\.4\.17 orders\.shop\.svc\.cluster\.local\r\n/);

	const again = await session.do('add', { entries, namespace: 'shop-prod' });
	assert.equal(again.result.changed, false);
	assert.equal(requests.length, 1, 'nothing to change, nothing asked');

	const removed = await session.do('remove');
	assert.equal(removed.result?.mode, 'elevated', JSON.stringify(removed));
	assert.equal(requests[1].message, `kubebridge wants to remove the names of session el1 from ${path}`);
	assert.match(requests[1].name, /^kubebridge removes its names from the hosts file$/);
	await session.end();
	assert.deepEqual(readFileSync(path), ORIGINAL);
	assert.ok(!requests.some((r) => existsSync(/'([^']+)'/.exec(r.command)[1])), 'the prepared copies are gone');
});

test('a refused elevation is a typed error pointing to no-hosts mode, and is not asked again', async () => {
	const { path, as } = readOnlyHosts();
	let asked = 0;
	const session = await startSession({ sessionId: 'el2', path, platform: 'linux' }, {
		...as, onElevate: async () => { asked++; return 'User did not grant permission.'; },
	});
	const first = await session.do('add', { entries, namespace: 'shop' });
	assert.equal(first.error?.reason, 'elevationRefused', JSON.stringify(first));
	assert.match(first.error.hint, /no-hosts mode/);
	assert.match(first.error.message, /will not ask again/);
	const second = await session.do('add', { entries, namespace: 'shop' });
	assert.equal(second.error?.reason, 'elevationRefused');
	assert.equal(asked, 1);
	assert.equal(second.prompts, 1);
	await session.end();
	assert.deepEqual(readFileSync(path), ORIGINAL);
});

test('no way to ask (no pkexec) is elevationUnavailable; a failing elevated command is hostsFileFailed', async () => {
	const { path, as } = readOnlyHosts();
	const unavailable = await startSession({ sessionId: 'el3', path, platform: 'linux' }, { ...as, onElevate: async () => 'Unable to find pkexec or kdesudo.' });
	const answer = await unavailable.do('add', { entries, namespace: 'shop' });
	assert.equal(answer.error?.reason, 'elevationUnavailable');
	assert.match(answer.error.message, /pkexec/);
	await unavailable.end();
	const failing = await startSession({ sessionId: 'el4', path, platform: 'linux' }, { ...as, onElevate: async () => 'cp: cannot create regular file' });
	assert.equal((await failing.do('add', { entries, namespace: 'shop' })).error?.reason, 'hostsFileFailed');
	await failing.end();
	assert.deepEqual(readFileSync(path), ORIGINAL);
});

test('on macOS the same prompt also adds, and later removes, the lo0 alias', async () => {
	const { path, as } = readOnlyHosts();
	const commands = [];
	const session = await startSession({ sessionId: 'el5', path, platform: 'darwin' }, {
		...as,
		onElevate: async (request) => {
			commands.push(request.command);
			// /sbin/ifconfig lo0 exists only on macOS: the copy, the first step, runs for real.
			await runElevated(request.command.split(' && ')[0], path);
		},
	});
	await session.do('add', { entries, namespace: 'shop' });
	await session.do('remove');
	await session.end();
	assert.equal(commands.length, 2);
	assert.match(commands[0], /^cp '[^']+' '[^']+' && \/sbin\/ifconfig lo0 alias 127\.1\.4\.17 up$/);
	assert.match(commands[1], /^cp '[^']+' '[^']+' && \/sbin\/ifconfig lo0 -alias 127\.1\.4\.17$/);
	assert.deepEqual(readFileSync(path), ORIGINAL);
});

test('elevated commands quote validated paths for sh and for cmd.exe', () => {
	assert.equal(elevatedCommand([{ kind: 'copy', from: '/tmp/kubebridge-hosts-Ab12/hosts', to: '/etc/hosts' }], 'linux'),
		"cp '/tmp/kubebridge-hosts-Ab12/hosts' '/etc/hosts'");
	assert.equal(elevatedCommand([{ kind: 'copy', from: 'C:\\Users\\José O\'Neil (dev)\\AppData\\Local\\Temp\\kubebridge-hosts-x\\hosts',
		to: 'C:\\Windows\\System32\\drivers\\etc\\hosts' }], 'win32'),
	'copy /Y /B "C:\\Users\\José O\'Neil (dev)\\AppData\\Local\\Temp\\kubebridge-hosts-x\\hosts" "C:\\Windows\\System32\\drivers\\etc\\hosts"');
	for (const bad of ["/tmp/a'b", '/tmp/$(reboot)', '/tmp/`id`', '/tmp/a"b', '/tmp/a\\b', 'relative/hosts', '/tmp/a\nb', '/tmp/a;b']) {
		assert.throws(() => quoteForSh(bad), (e) => e.data.reason === 'invalidHostsEntry', bad);
	}
	for (const bad of ['C:\\a"b', 'C:\\%PATH%', 'C:\\a!b!', 'C:\\a&b', 'C:\\a|b', 'C:\\a^b', 'relative\\hosts', 'C:\\a\r\nb']) {
		assert.throws(() => quoteForCmd(bad), (e) => e.data.reason === 'invalidHostsEntry', bad);
	}
	assert.throws(() => elevatedCommand([{ kind: 'run', argv: ['/sbin/ifconfig', 'lo0', 'alias', '127.0.0.1;reboot'] }], 'darwin'));
});

test('prompt names fit sudo-prompt: letters, digits and spaces, at most 70', () => {
	assert.equal(promptName('kubebridge wants to add 12 names for namespace shop to the hosts file'), 'kubebridge wants to add 12 names for namespace shop to the hosts file');
	const long = promptName(`kubebridge wants to add 12 names for namespace ${'very-long-name-'.repeat(5)} to the hosts file`);
	assert.ok(long.length <= 70 && /^[A-Za-z0-9 ]+$/.test(long), long);
});

test('the elevation seam is asked once more only after a grant, never after a refusal', async () => {
	const answers = ['ok', 'User did not grant permission.'];
	let calls = 0;
	const elevation = new Elevation(async () => { calls++; const a = answers.shift(); if (a !== 'ok') throw new Error(a); });
	const request = { command: 'true', name: 'x', message: 'x' };
	await elevation.run(request, '/etc/hosts');
	await assert.rejects(elevation.run(request, '/etc/hosts'), (e) => e.code === -33401 && e.data.reason === 'elevationRefused');
	await assert.rejects(elevation.run(request, '/etc/hosts'), (e) => e.data.reason === 'elevationRefused');
	assert.equal(calls, 2);
	assert.equal(elevation.prompts, 2);
});
