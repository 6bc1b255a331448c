// The fast part of the reliability suite (npm run reliability runs the whole of it and
// writes its figures into docs/reliability.md): a network fault between the sidecar and
// the API server, load through the tunnel, and three cells of the crash and exit matrix,
// on one namespace of their own, as the developer Role. These assert what must hold (served
// again with no user step, nothing lost or left); how fast is measured there, not here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
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
