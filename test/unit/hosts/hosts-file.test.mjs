import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { killSessions, startSession as session } from '../../helpers/hosts-session-driver.mjs';
import { once } from 'node:events';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostsFile } from '../../../out/server/hosts/hosts-file.js';
import { findBlocks } from '../../../out/server/hosts/hosts-block.js';

const folders = [];
after(() => {
	killSessions();
	for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function hostsCopy(content) {
	const folder = mkdtempSync(join(tmpdir(), 'kb-hosts-test-'));
	folders.push(folder);
	const path = join(folder, 'hosts');
	writeFileSync(path, content);
	return path;
}

const ORIGINAL = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('# hosts\r\n127.0.0.1 localhost\r\n10.0.0.5 orders.shop # mine\r\n::1 localhost')]);
const entries = (address = '127.1.4.17') => [{ address, names: ['orders', 'orders.shop', 'orders.shop.svc', 'orders.shop.svc.cluster.local'] }];
test('a session adds its block and removing it gives back the very bytes, mode and owner', async () => {
	const path = hostsCopy(ORIGINAL);
	chmodSync(path, 0o640);
	const root = process.getuid() === 0;
	if (root) chownSync(path, 65534, 65534);
	const hosts = new HostsFile({ sessionId: 's1', path, platform: 'linux' });
	const added = await hosts.add(entries(), 'shop');
	assert.equal(added.changed, true);
	assert.equal(added.mode, 'atomic');
	assert.deepEqual(added.shadowed, ['orders.shop'], 'the user\'s own line for orders.shop comes first and wins');
	const text = readFileSync(path, 'latin1');
	assert.match(text, /\r\n# >>> kubebridge session=s1 pid=\d+: [^\r\n]+\r\n127\.1\.4\.17 orders\r\n/);
	assert.deepEqual(hosts.blocks(), [{ sessionId: 's1', pid: process.pid, entries: entries() }]);
	assert.equal((statSync(path).mode & 0o777), 0o640);
	assert.deepEqual(await hosts.add(entries(), 'shop'), { changed: false, mode: null, shadowed: ['orders.shop'] });
	assert.equal((await hosts.remove()).changed, true);
	assert.deepEqual(readFileSync(path), ORIGINAL);
	assert.equal((statSync(path).mode & 0o777), 0o640);
	if (root) assert.deepEqual([statSync(path).uid, statSync(path).gid], [65534, 65534], 'the owner is kept');
	assert.deepEqual(await hosts.remove(), { changed: false, mode: null, shadowed: [] });
});

test('the default path is the OS\'s own hosts file', () => {
	assert.equal(new HostsFile({ sessionId: 'x', platform: 'linux' }).path, '/etc/hosts');
	assert.equal(new HostsFile({ sessionId: 'x', platform: 'darwin' }).path, '/etc/hosts');
	const saved = process.env.SystemRoot;
	process.env.SystemRoot = 'D:\\Win';
	try {
		assert.equal(new HostsFile({ sessionId: 'x', platform: 'win32' }).path, 'D:\\Win\\System32\\drivers\\etc\\hosts');
	} finally {
		if (saved === undefined) delete process.env.SystemRoot; else process.env.SystemRoot = saved;
	}
});

test('an invalid name changes nothing in the file', async () => {
	const path = hostsCopy(ORIGINAL);
	const hosts = new HostsFile({ sessionId: 's1', path });
	await assert.rejects(hosts.add([{ address: '127.1.0.1', names: ['ok', 'x$(reboot)'] }], 'shop'), (e) => e.data.reason === 'invalidHostsEntry');
	await assert.rejects(hosts.add([{ address: '192.168.1.1', names: ['ok'] }], 'shop'), (e) => e.data.reason === 'invalidHostsEntry');
	assert.deepEqual(readFileSync(path), ORIGINAL);
});

test('a missing hosts file is a typed error', async () => {
	const hosts = new HostsFile({ sessionId: 's1', path: join(tmpdir(), 'kb-no-such-dir', 'hosts') });
	await assert.rejects(hosts.add(entries(), 'shop'), (e) => e.data.reason === 'hostsFileFailed' && /ENOENT/.test(e.message) && /no-hosts mode/.test(e.data.hint));
});

test('concurrent sessions in separate processes each keep their block, and all leave the file as it was', async () => {
	const path = hostsCopy(ORIGINAL);
	const sessions = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => session({ sessionId: `c${i}`, path })));
	const added = await Promise.all(sessions.map((s, i) => s.do('add', { entries: entries(`127.${i + 1}.0.1`), namespace: 'shop' })));
	assert.ok(added.every((a) => a.result?.changed), JSON.stringify(added));
	assert.deepEqual(findBlocks(readFileSync(path, 'latin1')).map((b) => b.sessionId).sort(), ['c0', 'c1', 'c2', 'c3', 'c4', 'c5']);
	const removed = await Promise.all(sessions.map((s) => s.do('remove')));
	assert.ok(removed.every((r) => r.result?.changed), JSON.stringify(removed));
	await Promise.all(sessions.map((s) => s.end()));
	assert.deepEqual(readFileSync(path), ORIGINAL);
});

test('a block whose owner died is removed at the next start; a live session\'s block is kept', async () => {
	const path = hostsCopy(ORIGINAL);
	const crashed = await session({ sessionId: 'gone', path });
	assert.ok((await crashed.do('add', { entries: entries('127.1.0.1'), namespace: 'shop' })).result.changed);
	crashed.child.kill('SIGKILL');
	await once(crashed.child, 'exit');
	const alive = await session({ sessionId: 'alive', path });
	assert.ok((await alive.do('add', { entries: entries('127.2.0.1'), namespace: 'shop' })).result.changed);
	const withAlive = readFileSync(path);

	const next = new HostsFile({ sessionId: 'next', path });
	assert.deepEqual(next.addressesInUse(), ['127.2.0.1'], 'only the live session\'s addresses count');
	const removed = await next.removeStaleBlocks();
	assert.deepEqual(removed.map((b) => [b.sessionId, b.pid]), [['gone', crashed.pid]]);
	assert.deepEqual(findBlocks(readFileSync(path, 'latin1')).map((b) => b.sessionId), ['alive']);
	assert.ok(readFileSync(path).length < withAlive.length);
	assert.deepEqual(await next.removeStaleBlocks(), [], 'nothing more to remove');
	await alive.do('remove');
	await alive.end();
	assert.deepEqual(readFileSync(path), ORIGINAL);
});

test('a session waits for another holding the lock, and takes over a lock whose owner died', async () => {
	const { lockPathFor } = await import('../../../out/server/hosts/hosts-lock.js');
	const path = hostsCopy(ORIGINAL);
	const lock = lockPathFor(path);
	const dead = spawn(process.execPath, ['-e', '']);
	await once(dead, 'exit');
	writeFileSync(lock, String(dead.pid));
	const hosts = new HostsFile({ sessionId: 's1', path });
	assert.equal((await hosts.add(entries(), 'shop')).changed, true);

	writeFileSync(lock, String(process.pid));
	const { withHostsLock } = await import('../../../out/server/hosts/hosts-lock.js');
	await assert.rejects(withHostsLock(path, async () => 'never', 200), (e) => e.data.reason === 'hostsFileLocked' && e.message.includes(String(process.pid)));
	rmSync(lock);
	await hosts.remove();
	assert.deepEqual(readFileSync(path), ORIGINAL);
});
