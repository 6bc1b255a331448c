// Ten `kill -9` trials on the running test cluster (npm run cluster:up first): each
// connects a `web` service of a namespace of its own (the reliability stage) as the
// developer Role, kills the sidecar with SIGKILL, and times how long the cluster takes to
// restore itself with no user step. Writes the table into docs/reliability.md between its
// markers.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { Cleanup } from '../bench/tunnel/cleanup.mjs';
import { kubectlJson } from '../test/helpers/cluster.mjs';
import { setUpStage } from './reliability/stage.mjs';

const TRIALS = Number(process.argv[2] ?? 10);
const BOUND_MS = 60_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const cleanup = new Cleanup();
const log = (text) => process.stderr.write(`${text}\n`);
const stage = await setUpStage({ namespace: `kb-rel-kill9-${randomBytes(3).toString('hex')}`, log, cleanup });
const NAMESPACE = stage.namespace;
const spec = () => kubectlJson(['get', 'deployment', 'web', '-n', NAMESPACE]).spec;
const sessionObjects = () => kubectlJson(['get', 'leases,pods,serviceaccounts,roles,rolebindings', '-n', NAMESPACE, '-l', 'kubebridge.io/session']).items;
const originalsReady = () => kubectlJson(['get', 'pods', '-n', NAMESPACE, '-l', 'app=web']).items
	.filter((p) => !p.metadata.deletionTimestamp)
	.every((p) => !p.metadata.labels['kubebridge.io/session'] && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));

async function until(check, started) {
	while (Date.now() - started < BOUND_MS) {
		if (check()) return (Date.now() - started) / 1000;
		await sleep(250);
	}
	return null;
}

async function trial(kubeconfig, port) {
	const before = spec();
	const child = spawn('bin/kubebridge', ['connect', 'web', '-n', NAMESPACE, '--local-port', String(port), '--kubeconfig', kubeconfig,
		'-o', 'json'], { stdio: ['ignore', 'pipe', 'inherit'] });
	await new Promise((resolve, reject) => {
		let out = '';
		child.stdout.on('data', (d) => { out += d; if (out.includes('"event":"ready"')) resolve(); });
		child.once('exit', () => reject(new Error(`connect ended before ready: ${out.slice(-500)}`)));
	});
	child.kill('SIGKILL');
	const started = Date.now();
	const restored = await until(() => isDeepStrictEqual(spec(), before), started);
	const ready = await until(originalsReady, started);
	const clean = await until(() => sessionObjects().length === 0, started);
	return { restored, ready, clean };
}

const rows = [];
try {
	for (let i = 1; i <= TRIALS; i++) {
		const result = await trial(stage.kubeconfig, stage.local.port);
		rows.push(result);
		console.log(`trial ${i}: spec restored ${result.restored} s, originals ready ${result.ready} s, session objects gone ${result.clean} s`);
	}
} finally {
	await cleanup.run(log);
}
const fmt = (v) => (v === null ? `> ${BOUND_MS / 1000}` : v.toFixed(1));
const table = [
	'| trial | spec restored (s) | original pods ready (s) | every session object gone (s) |',
	'|---|---|---|---|',
	...rows.map((r, i) => `| ${i + 1} | ${fmt(r.restored)} | ${fmt(r.ready)} | ${fmt(r.clean)} |`),
].join('\n');
const within30 = rows.filter((r) => r.restored !== null && r.restored <= 30).length;
const section = `<!-- kill9:begin -->\n${new Date().toISOString().slice(0, 10)}, 2 cores, \`node scripts/kill9-trials.mjs\`: a \`web\` Deployment of its own namespace connected as the developer Role, then \`kill -9\` of the sidecar; times from the kill.\n\n${table}\n\nSpec restored within 30 s in ${within30} of ${rows.length} trials.\n<!-- kill9:end -->`;
const doc = readFileSync('docs/reliability.md', 'utf8');
const marked = /<!-- kill9:begin -->[\s\S]*<!-- kill9:end -->/;
writeFileSync('docs/reliability.md', marked.test(doc) ? doc.replace(marked, section) : `${doc.trimEnd()}\n\n## kill -9 of the sidecar, ten trials\n${section}\n`);
console.log(table);
