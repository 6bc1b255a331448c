// What the agent serves of a container's mounted files: only under volume mount points, the
// kubelet's atomic-writer layout read by its visible names, within the size limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FILE_LIMITS } from '../../../out/agent/src/contract/contract.js';
import { FileLister, readContent } from '../../../out/agent/src/file-listing.js';
import { underMountPoint, volumeMountPoints } from '../../../out/agent/src/mount-points.js';

const sha = (text) => createHash('sha256').update(text).digest('hex');

const MOUNTINFO = [
	'1200 1100 0:120 / / ro,relatime - overlay overlay rw,lowerdir=/x',
	'1201 1200 0:121 / /proc rw,nosuid - proc proc rw',
	'1202 1200 0:122 / /dev rw,nosuid - tmpfs tmpfs rw',
	'1203 1202 0:123 / /dev/termination-log rw - ext4 /dev/sda1 rw',
	'1204 1200 0:124 / /sys ro - sysfs sysfs ro',
	'1205 1200 0:125 / /etc/config ro,relatime - tmpfs tmpfs rw',
	'1206 1200 0:126 / /var/run/secrets/kubernetes.io/serviceaccount ro - tmpfs tmpfs rw',
	'1207 1200 8:1 /var/lib/kubelet/pods/x/etc-hosts /etc/hosts rw - ext4 /dev/sda1 rw',
	'1208 1200 0:127 / /data/with\\040space rw - tmpfs tmpfs rw',
	'1209 1200 0:128 / /sys/fs/cgroup ro - cgroup2 cgroup rw',
].join('\n');

test('volume mount points leave out the root, the pseudo file systems and /proc, /sys, /dev; octal escapes are read', () => {
	assert.deepEqual(volumeMountPoints(MOUNTINFO), [
		'/etc/config', '/var/run/secrets/kubernetes.io/serviceaccount', '/etc/hosts', '/data/with space',
	]);
});

test('only paths at or under a mount point are served, and `..` cannot climb out of one', () => {
	const points = ['/etc/config', '/etc/hosts'];
	assert.equal(underMountPoint('/etc/config', points), '/etc/config');
	assert.equal(underMountPoint('/etc/config/', points), '/etc/config');
	assert.equal(underMountPoint('/etc/config/a/b.yaml', points), '/etc/config/a/b.yaml');
	assert.equal(underMountPoint('/etc/config/../passwd', points), null);
	assert.equal(underMountPoint('/etc/configuration', points), null);
	assert.equal(underMountPoint('etc/config/a', points), null);
	assert.equal(underMountPoint('/agent/agent.cjs', points), null);
});

/** A folder as the kubelet's atomic writer leaves it: visible names link into `..data`. */
function kubeletVolume(root, version, files) {
	mkdirSync(root, { recursive: true });
	const dir = join(root, `..${version}`);
	for (const [name, text] of Object.entries(files)) {
		mkdirSync(join(dir, name, '..'), { recursive: true });
		writeFileSync(join(dir, name), text);
	}
	symlinkSync(`..${version}`, join(root, '..data_tmp'));
	renameSync(join(root, '..data_tmp'), join(root, '..data'));
	for (const top of new Set(Object.keys(files).map((name) => name.split('/')[0]))) {
		try { symlinkSync(`..data/${top}`, join(root, top)); } catch { /* already linked */ }
	}
}

test('a kubelet volume lists its visible names with digests, never the `..` internals, and sees an update', async () => {
	const base = mkdtempSync(join(tmpdir(), 'kb-agent-files-'));
	try {
		const config = join(base, 'config');
		kubeletVolume(config, '2026_01_01_00_00_00.1', { 'app.yaml': 'a: 1\n', 'nested/deep.txt': 'deep' });
		const lister = new FileLister();
		const [listing] = await lister.list([config]);
		assert.equal(listing.error, undefined);
		assert.deepEqual(listing.entries.map((e) => [e.path, e.type, e.sha256 ?? null]), [
			['app.yaml', 'file', sha('a: 1\n')],
			['nested', 'dir', null],
			['nested/deep.txt', 'file', sha('deep')],
		]);
		// The kubelet's update: a new version folder, then `..data` swapped in one rename.
		mkdirSync(join(config, '..2026_01_01_00_01_00.2/nested'), { recursive: true });
		writeFileSync(join(config, '..2026_01_01_00_01_00.2/app.yaml'), 'a: 2\n');
		writeFileSync(join(config, '..2026_01_01_00_01_00.2/nested/deep.txt'), 'deep');
		symlinkSync('..2026_01_01_00_01_00.2', join(config, '..data_tmp'));
		renameSync(join(config, '..data_tmp'), join(config, '..data'));
		const [after] = await lister.list([config]);
		assert.equal(after.entries.find((e) => e.path === 'app.yaml').sha256, sha('a: 2\n'));
	} finally {
		rmSync(base, { recursive: true, force: true });
	}
});

test('links leaving the mount, files past the size limit, other asked-for mounts and missing mounts are reported, not read', async () => {
	const base = mkdtempSync(join(tmpdir(), 'kb-agent-files-'));
	try {
		const data = join(base, 'data');
		mkdirSync(join(data, 'inner'), { recursive: true });
		writeFileSync(join(base, 'outside.txt'), 'not yours');
		symlinkSync(join(base, 'outside.txt'), join(data, 'escape'));
		writeFileSync(join(data, 'big.bin'), '');
		truncateSync(join(data, 'big.bin'), FILE_LIMITS.fileBytes + 1);
		writeFileSync(join(data, 'inner', 'own.txt'), 'inner mount');
		writeFileSync(join(data, '..not-kubelet'), 'kept: no ..data here');
		const [outer, inner, missing] = await new FileLister().list([data, join(data, 'inner'), join(base, 'absent')]);
		assert.deepEqual(outer.entries.map((e) => [e.path, e.skipped ?? 'copied']), [
			['..not-kubelet', 'copied'], ['big.bin', 'tooLarge'], ['escape', 'linkOutside'],
		]);
		assert.deepEqual(inner.entries.map((e) => e.path), ['own.txt']);
		assert.equal(missing.error, 'missing');
	} finally {
		rmSync(base, { recursive: true, force: true });
	}
});

test('a file mounted alone (subPath) is one entry with an empty path; its content comes with its digest', async () => {
	const base = mkdtempSync(join(tmpdir(), 'kb-agent-files-'));
	try {
		const file = join(base, 'settings.json');
		writeFileSync(file, '{"x":1}');
		chmodSync(file, 0o640);
		const [listing] = await new FileLister().list([file]);
		assert.deepEqual(listing.entries, [{ path: '', type: 'file', mode: 0o640, size: 7, sha256: sha('{"x":1}') }]);
		const content = await readContent(file);
		assert.equal(content.status, 200);
		assert.equal(content.bytes.toString(), '{"x":1}');
		assert.equal(content.sha256, sha('{"x":1}'));
		assert.equal((await readContent(join(base, 'gone'))).status, 404);
	} finally {
		rmSync(base, { recursive: true, force: true });
	}
});

test("a file the agent's user (UID 65532) cannot read is listed as unreadable and refused", { skip: process.getuid?.() !== 0 && 'needs root to run as UID 65532' }, () => {
	const base = mkdtempSync(join(tmpdir(), 'kb-agent-files-'));
	try {
		chmodSync(base, 0o755);
		writeFileSync(join(base, 'locked'), 'secret', { mode: 0o400 });
		writeFileSync(join(base, 'open'), 'public', { mode: 0o644 });
		const script = `
			const { FileLister, readContent } = await import(${JSON.stringify(new URL('../../../out/agent/src/file-listing.js', import.meta.url).href)});
			const [listing] = await new FileLister().list([${JSON.stringify(base)}]);
			const refused = await readContent(${JSON.stringify(join(base, 'locked'))});
			console.log(JSON.stringify({ entries: listing.entries.map((e) => [e.path, e.skipped ?? 'copied']), status: refused.status }));`;
		const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { uid: 65532, gid: 65532, encoding: 'utf8' });
		assert.equal(run.status, 0, run.stderr);
		assert.deepEqual(JSON.parse(run.stdout), { entries: [['locked', 'unreadable'], ['open', 'copied']], status: 403 });
	} finally {
		rmSync(base, { recursive: true, force: true });
	}
});
