// The fast part of the reliability suite (npm run reliability runs the whole of it and
// writes its figures into docs/reliability.md): a network fault between the sidecar and
// the API server, load through the tunnel, and three cells of the crash and exit matrix,
// on one namespace of their own, as the developer Role. These assert what must hold (served
// again with no user step, nothing lost or left); how fast is measured there, not here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes } from '../../../out/protocol/index.js';
import { startSidecar } from '../../helpers/executable.mjs';
import { comparableObject, kubectlAsync } from '../../helpers/workload-fixtures.mjs';
import { Cleanup } from '../../../bench/tunnel/cleanup.mjs';
import { runFaults } from '../../../scripts/reliability/faults.mjs';
import { runLoad } from '../../../scripts/reliability/load.mjs';
import { runCell } from '../../../scripts/reliability/matrix.mjs';
import { setUpStage } from '../../../scripts/reliability/stage.mjs';

const cleanup = new Cleanup();
const log = (text) => process.stderr.write(`# ${text}\n`);
let stage;

before(async () => {
	stage = await setUpStage({ namespace: `kb-rel-${randomBytes(3).toString('hex')}`, proxy: true, log, cleanup });
});
after(() => cleanup.run(log));

test('the API server unreachable (Toxiproxy down, then reset connections): serving resumes by itself and the client is told', { timeout: 240_000 }, async () => {
	const results = await runFaults(stage, { cleanup, log, only: ['proxy down', 'connection reset'], faultMs: 5000 });
	assert.equal(results.length, 2);
	for (const result of results) {
		assert.notEqual(result.resumedMs, null, `${result.name}: served again`);
		assert.match(result.changes, /agentReconnecting.*agentServing/, `${result.name}: the client heard of the reconnect`);
	}
});

test('load: many connections at once, one long transfer, slow readers, connect/disconnect cycles: all served, nothing leaks, restored exactly', { timeout: 300_000 }, async () => {
	const result = await runLoad(stage, { cleanup, log, concurrent: 50, bigBytes: 32 << 20, slowMs: 4000, cycles: 2 });
	assert.equal(result.concurrent.ok, 50, JSON.stringify(result.concurrent.errors));
	assert.equal(result.big.how, 'complete');
	assert.ok(result.slowCluster.got > 0 && result.slowLocal.read > 0, 'slow readers still get data');
	const { after: counts, left } = result.cycles;
	assert.ok(counts.at(-1).sockets <= counts[0].sockets, `sockets after each disconnect: ${counts.map((c) => c.sockets)}`);
	assert.deepEqual(counts.map((c) => c.agents), counts.map(() => 0));
	assert.deepEqual(left, []);
	assert.equal(result.exitCode, 0);
	assert.equal(result.restoredExactly, true);
});

for (const cell of [
	{ method: 'SIGINT', phase: 'rollout' },
	{ method: 'editor dies', phase: 'restore' },
	{ method: 'shutdown', phase: 'rollout', failConnect: true },
]) {
	test(`${cell.failConnect ? 'a failed connect, then shutdown' : `${cell.method} during ${cell.phase}`}: the Deployment comes back exactly, nothing of the session is left, hosts file and processes untouched`, { timeout: 240_000 }, async () => {
		const result = await runCell(stage, cell, log);
		assert.equal(result.ok, true, JSON.stringify(result));
	});
}

test('bad hosts files as outbound.hostsPath through the packaged executable: a typed HostsFileFailed, the file, the workload and the cluster unchanged', { timeout: 180_000 }, async (t) => {
	const dir = mkdtempSync(join(tmpdir(), 'kb-rel-hosts-'));
	t.after(() => rmSync(dir, { recursive: true, force: true }));
	writeFileSync(join(dir, 'junk'), Buffer.concat([Buffer.from('127.0.0.1 localhost\n'), randomBytes(4096), Buffer.from([0])]));
	writeFileSync(join(dir, 'huge'), '127.0.0.1 localhost\n');
	truncateSync(join(dir, 'huge'), 65 * 1024 * 1024);
	symlinkSync('/dev/zero', join(dir, 'zero'));
	mkdirSync(join(dir, 'directory'));
	execFileSync('mkfifo', [join(dir, 'pipe')]);
	const fingerprint = (path) => {
		const stat = lstatSync(path);
		return { mode: stat.mode, size: stat.size, ino: stat.ino, mtime: stat.mtimeMs, bytes: stat.isFile() && stat.size < 1e6 ? readFileSync(path).toString('hex') : null };
	};
	const original = await comparableObject('deployment', stage.namespace, 'web');
	const sidecar = startSidecar({ args: ['--kubeconfig', stage.kubeconfig] });
	try {
		assert.ok((await sidecar.client.initialize({ cluster: { namespace: stage.namespace } })).result);
		for (const name of ['junk', 'huge', 'zero', 'directory', 'pipe']) {
			const path = join(dir, name);
			const before = fingerprint(path);
			const response = await sidecar.client.request('session/connect', {
				targets: [{ service: 'web', localPort: stage.local.port }], outbound: { hostsPath: path },
			}, 120_000);
			assert.equal(response.error?.code, ErrorCodes.HostsFileFailed, `${name}: ${JSON.stringify(response)}`);
			assert.equal(response.error.data.reason, 'hostsFileFailed');
			assert.equal(response.error.data.file, path);
			assert.deepEqual(fingerprint(path), before, `${name}: the file is unchanged`);
		}
		assert.deepEqual(await comparableObject('deployment', stage.namespace, 'web'), original);
		const left = await kubectlAsync(['get', 'pods,leases,serviceaccounts,roles,rolebindings', '-n', stage.namespace, '-l', 'kubebridge.io/session', '-o', 'name']);
		assert.equal(left.stdout.trim(), '', 'nothing of a session was created');
		await sidecar.client.request('shutdown', undefined, 60_000);
		sidecar.client.notify('exit');
		assert.equal(await sidecar.exited, 0);
	} finally {
		if (sidecar.child.exitCode === null) sidecar.child.kill('SIGKILL');
	}
});
