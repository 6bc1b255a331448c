import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const unshare = spawnSync('unshare', ['--version']).status === 0;
const why = process.platform !== 'linux' ? 'Linux only'
	: process.getuid() !== 0 ? 'needs root to mount in a private mount namespace (run as root to cover the bind-mounted /etc/hosts path)'
	: !unshare ? 'needs unshare (util-linux)' : false;

const folder = mkdtempSync(join(tmpdir(), 'kb-hosts-ns-'));
after(() => rmSync(folder, { recursive: true, force: true }));

test('the real /etc/hosts path, bind-mounted in a private mount namespace, is edited in place and restored', { skip: why }, () => {
	const realBefore = readFileSync('/etc/hosts');
	const stand = join(folder, 'hosts');
	const original = Buffer.from('# a container\'s hosts\r\n127.0.0.1\tlocalhost\r\n172.17.0.2\tabc123');
	writeFileSync(stand, original);
	const inode = statSync(stand).ino;
	const script = fileURLToPath(new URL('../../helpers/hosts-in-namespace.mjs', import.meta.url));
	const run = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount --bind "$1" /etc/hosts && exec "$2" "$3"', 'sh', stand, process.execPath, script],
		{ encoding: 'utf8', timeout: 30_000 });
	assert.equal(run.status, 0, run.stderr);
	const report = JSON.parse(run.stdout);
	assert.equal(report.path, '/etc/hosts');
	assert.equal(report.added.mode, 'inPlace', 'a bind-mounted file is written in place');
	assert.match(report.during, /\r\n# >>> kubebridge session=ns-e2e pid=\d+: [^\r\n]+\r\n127\.1\.4\.17 orders\r\n127\.1\.4\.17 orders\.shop\r\n# <<< kubebridge session=ns-e2e$/);
	assert.equal(report.removed.mode, 'inPlace');
	assert.deepEqual(readFileSync(stand), original, 'the bind-mounted file is byte-identical afterwards');
	assert.equal(statSync(stand).ino, inode, 'and still the same file');
	assert.deepEqual(readFileSync('/etc/hosts'), realBefore, "the machine's real /etc/hosts was never touched");
});
