// The connect benchmark: how long `kubebridge connect` takes until its "Ready" line and
// `kubebridge disconnect` (Ctrl-C) until the workload is routed back to its originals,
// each against the cluster's own floor in the same run: `kubectl rollout restart` of the
// same Deployment until `kubectl rollout status` says it is rolled out (one new pod up and
// Ready, the old one gone; connect and disconnect each roll the Deployment once). Where
// the time goes is read from the sidecar's log (its `timeline` marks). Rounds take turns
// with the baseline. Measured, never asserted. Options: --rounds N, --no-write.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubectl } from '../test/helpers/cluster.mjs';
import { setUpBench } from './tunnel/bench-stage.mjs';
import { runScript, startBench } from './tunnel/cleanup.mjs';
import { NAMESPACE, onlyEchoPod } from './tunnel/fixture.mjs';
import { writeSection } from './report-section.mjs';
import { connectSession } from './tunnel/sidecar.mjs';

const argv = process.argv.slice(2);
const option = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const rounds = Number(option('--rounds') ?? 5);
const write = !argv.includes('--no-write');

const { began, log, cleanup } = startBench();
const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
const seconds = (ms) => (ms / 1000).toFixed(2);

/** The baseline: the same Deployment rolled to a new pod by kubectl, until rollout status returns. */
function kubectlRollout() {
	const started = performance.now();
	kubectl(['rollout', 'restart', 'deployment/echo', '-n', NAMESPACE]);
	kubectl(['rollout', 'status', 'deployment/echo', '-n', NAMESPACE, '--timeout=120s']);
	return performance.now() - started;
}

/** The sidecar's timeline marks of one operation, in order. */
function timeline(logDir, operation) {
	const marks = [];
	for (const file of readdirSync(logDir).filter((f) => f.endsWith('.log'))) {
		for (const line of readFileSync(join(logDir, file), 'utf8').split('\n')) {
			if (!line.includes('"timeline"')) continue;
			const entry = JSON.parse(line);
			if (entry.area === 'timeline' && entry.fields?.operation === operation) marks.push({ phase: entry.fields.phase, at: entry.fields.at, ms: entry.fields.ms });
		}
	}
	return marks;
}

async function run() {
	const { developer, localEcho, hostsFile } = await setUpBench({ log, cleanup });
	const results = [];
	for (let round = 0; round < rounds; round++) {
		const result = {};
		const steps = [
			async () => { await onlyEchoPod('echo'); result.rolloutMs = kubectlRollout(); },
			async () => {
				const original = await onlyEchoPod('echo');
				const session = await connectSession({ kubeconfig: developer.kubeconfig, localPort: localEcho, originals: [original.name], log, cleanup, hostsFile });
				result.answeredMs = session.answeredMs;
				result.readyMs = session.readyMs;
				result.disconnectMs = await session.disconnect();
				result.connect = timeline(session.logDir, 'connect');
				result.disconnect = timeline(session.logDir, 'disconnect');
			},
		];
		for (const step of round % 2 ? steps.reverse() : steps) await step();
		log(`round ${round + 1}: kubectl rollout ${seconds(result.rolloutMs)} s; kubebridge ready ${seconds(result.readyMs)} s (first caller ${seconds(result.answeredMs)} s), disconnect ${seconds(result.disconnectMs)} s`);
		results.push(result);
	}
	return results;
}

/** Each phase's median duration over the rounds, in the order the first round marked them. */
function phases(results, key) {
	return results[0][key].map(({ phase }) => ({
		phase,
		ms: median(results.map((r) => r[key].find((m) => m.phase === phase)?.ms ?? 0)),
		at: median(results.map((r) => r[key].find((m) => m.phase === phase)?.at ?? 0)),
	}));
}

function render(results) {
	const rollout = median(results.map((r) => r.rolloutMs));
	const ready = median(results.map((r) => r.readyMs));
	const answered = median(results.map((r) => r.answeredMs));
	const disconnect = median(results.map((r) => r.disconnectMs));
	const range = (key) => `${seconds(Math.min(...results.map((r) => r[key])))}–${seconds(Math.max(...results.map((r) => r[key])))}`;
	const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
	const connectRows = phases(results, 'connect');
	const disconnectRows = phases(results, 'disconnect');
	const startup = ready - (connectRows.at(-1)?.at ?? 0);
	return [
		`Run on ${new Date().toISOString().slice(0, 10)}, ${results.length} rounds taking turns with the baseline; load average (1 min) ${load} at the end.`,
		'',
		'| measurement | kubectl rollout restart + status | kubebridge | kubebridge / kubectl | goal | met |',
		'|---|---|---|---|---|---|',
		`| connect: spawn → "Ready" line (s), median (range) | ${seconds(rollout)} (${range('rolloutMs')}) | ${seconds(ready)} (${range('readyMs')}) | ${(ready / rollout).toFixed(2)}× | ≤ 3 s | ${ready <= 3000 ? 'met' : 'no'} |`,
		`| connect: spawn → first caller answered locally (s) | | ${seconds(answered)} (${range('answeredMs')}) | ${(answered / rollout).toFixed(2)}× | | |`,
		`| disconnect: Ctrl-C → routed back to the originals, leases deleted, exited (s) | ${seconds(rollout)} | ${seconds(disconnect)} (${range('disconnectMs')}) | ${(disconnect / rollout).toFixed(2)}× | ≤ 3 s | ${disconnect <= 3000 ? 'met' : 'no'} |`,
		'',
		'Where connect spends its time (median over the rounds; from the sidecar\'s `timeline` log marks):',
		'',
		'| phase ends | ms in phase | ms since connect began |',
		'|---|---|---|',
		`| (process start, initialize, kubeconfig, before connect) | ${startup.toFixed(0)} | |`,
		...connectRows.map((r) => `| ${r.phase} | ${r.ms.toFixed(0)} | ${r.at.toFixed(0)} |`),
		'',
		'Where disconnect spends its time:',
		'',
		'| phase ends | ms in phase | ms since disconnect began |',
		'|---|---|---|',
		...disconnectRows.map((r) => `| ${r.phase} | ${r.ms.toFixed(0)} | ${r.at.toFixed(0)} |`),
	].join('\n');
}

await runScript(async () => {
	const results = await run();
	process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
	const table = render(results);
	process.stderr.write(`${table}\n`);
	if (write) log(`wrote ${writeSection('connect', table)}`);
}, { cleanup, log, began });
