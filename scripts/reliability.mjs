// The whole reliability suite on the running test cluster (npm run reliability): network
// faults through Toxiproxy and the agent pod deleted, load through the tunnel, the crash and
// exit matrix, then the ten kill -9 trials. Writes each part's table into
// docs/reliability.md between its markers. Measured, never asserted: the cluster tests in
// test/cluster/tests/reliability.test.mjs assert what must hold.
// Options: --only faults,load,matrix,kill9  --no-write (print only). `--only restarts`
// restarts the cluster's API server and kubelet (test/cluster/scripts/restart-component.sh):
// never part of a default run, as it disturbs everyone using the cluster.
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { Cleanup, runScript } from '../bench/tunnel/cleanup.mjs';
import { CLUSTER_RESTARTS, runFaults } from './reliability/faults.mjs';
import { runLoad } from './reliability/load.mjs';
import { runMatrix } from './reliability/matrix.mjs';
import { writeSection } from './reliability/record.mjs';
import { setUpStage } from './reliability/stage.mjs';

const argv = process.argv.slice(2);
const option = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const parts = (option('--only') ?? 'faults,load,matrix,kill9').split(',');
const restartNames = CLUSTER_RESTARTS.map((fault) => fault.name);
const write = !argv.includes('--no-write');
const began = Date.now();
const log = (text) => process.stderr.write(`[${((Date.now() - began) / 1000).toFixed(1).padStart(6)} s] ${text}\n`);
const cleanup = new Cleanup();
const namespace = (what) => `kb-rel-${what}-${randomBytes(3).toString('hex')}`;

for (const signal of ['SIGINT', 'SIGTERM']) {
	process.once(signal, () => {
		log(`${signal}: cleaning up`);
		void cleanup.run(log).finally(() => process.exit(130));
	});
}

async function part(name, run) {
	if (!parts.includes(name)) return;
	log(`— ${name}`);
	try {
		const result = await run();
		process.stdout.write(`${JSON.stringify({ [name]: result }, null, 2)}\n`);
		if (write) writeSection(name, result);
	} finally {
		await cleanup.run(log);
	}
}

await runScript(async () => {
	await part('faults', async () => runFaults(await setUpStage({ namespace: namespace('faults'), proxy: true, log, cleanup }), { cleanup, log, only: option('--faults')?.split(',') }));
	await part('restarts', async () => runFaults(await setUpStage({ namespace: namespace('restarts'), log, cleanup }), { cleanup, log, only: option('--faults')?.split(',') ?? restartNames }));
	await part('load', async () => runLoad(await setUpStage({ namespace: namespace('load'), log, cleanup }), { cleanup, log }));
	await part('matrix', async () => runMatrix(await setUpStage({ namespace: namespace('matrix'), log, cleanup }), { log }));
	if (parts.includes('kill9')) {
		log('— kill9');
		const run = spawnSync(process.execPath, [new URL('./kill9-trials.mjs', import.meta.url).pathname], { stdio: 'inherit' });
		if (run.status !== 0) process.exitCode = 1;
	}
}, { cleanup, log, began });
