// Ten `kill -9` trials on the running test cluster (npm run cluster:up first): each
// connects the demo's `web` service as the developer Role, kills the sidecar with
// SIGKILL, and times how long the cluster takes to restore itself with no user step.
// Writes the table into docs/reliability.md between its markers.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { DEMO_NAMESPACE, issueKubeconfig, kubectlJson } from '../test/helpers/cluster.mjs';
import { DEVELOPER_RULES } from '../test/helpers/developer-role.mjs';

const TRIALS = Number(process.argv[2] ?? 10);
const BOUND_MS = 60_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const spec = () => kubectlJson(['get', 'deployment', 'web', '-n', DEMO_NAMESPACE]).spec;
const sessionObjects = () => kubectlJson(['get', 'leases,pods,serviceaccounts,roles,rolebindings', '-n', DEMO_NAMESPACE, '-l', 'kubebridge.io/session']).items;
const originalsReady = () => kubectlJson(['get', 'pods', '-n', DEMO_NAMESPACE, '-l', 'app=web']).items
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
	const child = spawn('bin/kubebridge', ['connect', 'web', '-n', DEMO_NAMESPACE, '--local-port', String(port), '--kubeconfig', kubeconfig,
		'--agent-image', process.env.KUBEBRIDGE_AGENT_IMAGE ?? 'kubebridge.local/agent:dev', '-o', 'json'], { stdio: ['ignore', 'pipe', 'inherit'] });
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

const server = createServer((_req, res) => res.end('local'));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const developer = issueKubeconfig({ user: 'kb-kill9', namespace: DEMO_NAMESPACE, rules: DEVELOPER_RULES });
const rows = [];
try {
	for (let i = 1; i <= TRIALS; i++) {
		const result = await trial(developer.kubeconfig, server.address().port);
		rows.push(result);
		console.log(`trial ${i}: spec restored ${result.restored} s, originals ready ${result.ready} s, session objects gone ${result.clean} s`);
	}
} finally {
	developer.revoke();
	server.close();
}
const fmt = (v) => (v === null ? `> ${BOUND_MS / 1000}` : v.toFixed(1));
const table = [
	'| trial | spec restored (s) | original pods ready (s) | every session object gone (s) |',
	'|---|---|---|---|',
	...rows.map((r, i) => `| ${i + 1} | ${fmt(r.restored)} | ${fmt(r.ready)} | ${fmt(r.clean)} |`),
].join('\n');
const within30 = rows.filter((r) => r.restored !== null && r.restored <= 30).length;
const section = `<!-- kill9:begin -->\n${new Date().toISOString().slice(0, 10)}, 2 cores, \`node scripts/kill9-trials.mjs\`: the demo's \`web\` Deployment connected as the developer Role, then \`kill -9\` of the sidecar; times from the kill.\n\n${table}\n\nSpec restored within 30 s in ${within30} of ${rows.length} trials.\n<!-- kill9:end -->`;
const doc = readFileSync('docs/reliability.md', 'utf8');
const marked = /<!-- kill9:begin -->[\s\S]*<!-- kill9:end -->/;
writeFileSync('docs/reliability.md', marked.test(doc) ? doc.replace(marked, section) : `${doc.trimEnd()}\n\n## kill -9 of the sidecar, ten trials\n${section}\n`);
console.log(table);
