// Hosts files a machine should not have, at the configurable path the hosts code takes:
// binary junk, a file far too big, symlinks, a directory. Each is a typed HostsFileFailed
// error that leaves the file exactly as it was, or, where the file is fine to use (odd
// bytes without NUL, a symlink to a regular file), a change that undoes byte for byte.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostsFile, MAX_HOSTS_BYTES } from '../../../out/server/hosts/hosts-file.js';
import { ErrorCodes } from '../../../out/protocol/index.js';

const folders = [];
after(() => { for (const folder of folders) rmSync(folder, { recursive: true, force: true }); });

function folder() {
	const dir = mkdtempSync(join(tmpdir(), 'kb-hostile-hosts-'));
	folders.push(dir);
	return dir;
}

const entries = [{ address: '127.1.4.17', names: ['orders', 'orders.shop'] }];
const hostsAt = (path) => new HostsFile({ sessionId: 'hostile', path, platform: 'linux' });
const fingerprint = (path) => {
	const stat = lstatSync(path);
	return { mode: stat.mode, size: stat.size, ino: stat.ino, mtime: stat.mtimeMs, bytes: stat.isFile() && stat.size < 1e6 ? readFileSync(path).toString('hex') : null };
};

async function refused(path, problem) {
	const before = fingerprint(path);
	await assert.rejects(hostsAt(path).add(entries, 'shop'), (error) => {
		assert.equal(error.code, ErrorCodes.HostsFileFailed);
		assert.equal(error.data.reason, 'hostsFileFailed');
		assert.equal(error.data.file, path);
		assert.match(error.message, problem);
		return true;
	});
	assert.deepEqual(fingerprint(path), before, 'the file is unchanged');
}

test('binary junk with NUL bytes is refused, not written into', async () => {
	const path = join(folder(), 'hosts');
	writeFileSync(path, Buffer.concat([Buffer.from('127.0.0.1 localhost\n'), randomBytes(8192), Buffer.from([0])]));
	await refused(path, /holds NUL bytes/);
});

test('odd bytes without NUL (no valid encoding at all) come back byte for byte after add and remove', async () => {
	const junk = Buffer.from(randomBytes(8192).map((b) => b || 1));
	const path = join(folder(), 'hosts');
	writeFileSync(path, junk);
	const hosts = hostsAt(path);
	assert.equal((await hosts.add(entries, 'shop')).changed, true);
	assert.deepEqual(hosts.blocks().map((b) => b.entries), [entries]);
	assert.equal((await hosts.remove()).changed, true);
	assert.deepEqual(readFileSync(path), junk);
});

test('a file past the size limit is refused before it is read', async () => {
	const path = join(folder(), 'hosts');
	writeFileSync(path, '127.0.0.1 localhost\n');
	truncateSync(path, MAX_HOSTS_BYTES + 1);
	await refused(path, new RegExp(`it is ${MAX_HOSTS_BYTES + 1} bytes`));
});

test('a symlink to a device and a directory are refused', async () => {
	const dir = folder();
	symlinkSync('/dev/zero', join(dir, 'zero'));
	await refused(join(dir, 'zero'), /not a regular file/);
	mkdirSync(join(dir, 'hosts.d'));
	await refused(join(dir, 'hosts.d'), /not a regular file/);
	symlinkSync('loop', join(dir, 'loop'));
	await refused(join(dir, 'loop'), /ELOOP/);
});

test('through a symlink the file it names is edited; the link stays a link and the file comes back byte for byte', async () => {
	const dir = folder();
	mkdirSync(join(dir, 'real'));
	const target = join(dir, 'real', 'hosts');
	const original = Buffer.from('127.0.0.1 localhost\n::1 localhost\n');
	writeFileSync(target, original);
	const link = join(dir, 'hosts');
	symlinkSync('real/hosts', link);
	const hosts = hostsAt(link);
	await hosts.add(entries, 'shop');
	assert.equal(lstatSync(link).isSymbolicLink(), true, 'the link is still a link');
	assert.equal(readlinkSync(link), 'real/hosts');
	assert.match(readFileSync(target, 'latin1'), /127\.1\.4\.17 orders/);
	await hosts.remove();
	assert.equal(lstatSync(link).isSymbolicLink(), true);
	assert.deepEqual(readFileSync(target), original);
	assert.equal(statSync(target).size, original.length);
});
