// The scale benchmark: `kubebridge connect` of one target of 20 replicas, of five targets
// at once, and of one target in a namespace of a thousand more Services (outbound follows
// every one), each against what a developer would do with kubectl alone, in the same run:
// - connect and disconnect against `kubectl rollout restart` + `rollout status` of the
//   same Deployments (connect and disconnect each roll them once), rounds taking turns;
// - the steady state against `kubectl port-forward` of each target (and, with the
//   thousand Services, `kubectl get services --watch`, which follows them as outbound
//   does), side by side in the same idle window: resident memory and API calls a minute.
// Every client talks to the API server through a counting proxy of its own
// (bench/scale/api-counter.mjs), so the calls of each are counted exactly.
// Measured, never asserted. Options: --rounds N, --idle SECONDS, --services N, --no-write.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { issueKubeconfig, kubectlPath } from '../test/helpers/cluster.mjs';
import { DEVELOPER_RULES } from '../test/helpers/developer-role.mjs';
import { bareEnv, EXECUTABLE } from '../test/helpers/executable.mjs';
import { writeSection } from './report-section.mjs';
import { startApiCounter, totalOf } from './scale/api-counter.mjs';
import { addServices, deleteNamespace, deploy, ECHO_PORT, NAMESPACE, SMALL, WIDE, WIDE_REPLICAS } from './scale/fixture.mjs';
import { runScript, startBench } from './tunnel/cleanup.mjs';
import { jsonPort, sampleRss, startProcess } from './tunnel/processes.mjs';
import { readyEvent } from './tunnel/sidecar.mjs';

const argv = process.argv.slice(2);
const option = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const rounds = Number(option('--rounds') ?? 2);
const idleMs = Number(option('--idle') ?? 60) * 1000;
const serviceCount = Number(option('--services') ?? 1000);
const write = !argv.includes('--no-write');

const { began, log, cleanup } = startBench();
const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
const seconds = (ms) => (ms / 1000).toFixed(2);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.now();
// Never spawnSync while a session runs: the counting proxies live in this process.
const run = promisify(execFile);

/** What kubectl needs for the baselines: rolling the Deployments and forwarding to them. */
const KUBECTL_RULES = [
	{ apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: ['get', 'list', 'watch', 'patch'] },
	{ apiGroups: [''], resources: ['pods', 'services'], verbs: ['get', 'list', 'watch'] },
	{ apiGroups: [''], resources: ['pods/portforward'], verbs: ['get', 'create'] },
];

const scenarios = [
	{ name: `one target of ${WIDE_REPLICAS} replicas`, targets: [WIDE], follow: false },
	{ name: `${SMALL.length} targets at once`, targets: SMALL, follow: false },
	{ name: `one target, ${serviceCount} more services in the namespace`, targets: [SMALL[0]], follow: true, services: serviceCount },
];

/** The baseline of connect and disconnect: the same Deployments rolled by kubectl until rolled out. */
async function kubectlRollout(kubeconfig, targets) {
	const started = now();
	const k = (args) => run(kubectlPath(), ['--kubeconfig', kubeconfig, '-n', NAMESPACE, ...args], { maxBuffer: 1 << 26 });
	await k(['rollout', 'restart', ...targets.map((t) => `deployment/${t}`)]);
	await Promise.all(targets.map((t) => k(['rollout', 'status', `deployment/${t}`, '--timeout=300s'])));
	return now() - started;
}

/** kubectl's steady state: a port-forward per target, and a watch of the services when outbound would follow them. */
async function startKubectlSteady(kubeconfig, scenario) {
	const base = ['--kubeconfig', kubeconfig, '-n', NAMESPACE];
	const forwarding = (line) => (line.startsWith('Forwarding from') ? true : undefined);
	const processes = scenario.targets.map((t) => startProcess(kubectlPath(), [...base, 'port-forward', `deployment/${t}`, `:${ECHO_PORT}`], { ready: forwarding, timeoutMs: 60_000 }));
	if (scenario.follow) processes.push(startProcess(kubectlPath(), [...base, 'get', 'services', '--watch', '-o', 'name'], { ready: (line) => (line.includes('many-') ? true : undefined), timeoutMs: 60_000 }));
	await Promise.all(processes.map((p) => p.value));
	return processes;
}

/** One session: connect until Ready, the idle window (with kubectl's steady state beside it) when asked, then Ctrl-C. */
async function session(scenario, { developer, kubectlUser, localEcho, hostsFile }, idle) {
	const counter = await startApiCounter(developer);
	const dropCounter = cleanup.add('stop the session\'s counting proxy', () => counter.close());
	const args = ['connect', ...scenario.targets.flatMap((t) => ['-t', `${t}:${localEcho}`]), '-n', NAMESPACE, '-o', 'json',
		'--kubeconfig', counter.kubeconfig, '--hosts-file', hostsFile];
	const started = now();
	const sidecar = startProcess(EXECUTABLE, args, { env: bareEnv(), ready: readyEvent, timeoutMs: 300_000 });
	const dropStop = cleanup.add('kubebridge connect (SIGINT)', () => sidecar.stop('SIGINT', 150_000));
	const ready = await sidecar.value;
	const result = { readyMs: now() - started, connectCalls: totalOf(counter.counts()), agents: ready.targets.reduce((n, t) => n + t.agentPods.length, 0) };
	result.outbound = ready.outbound?.services?.length ?? 0;
	counter.reset();
	if (idle) result.idle = await idleWindow(scenario, sidecar.child.pid, counter, kubectlUser);
	counter.reset();
	const from = now();
	const code = await sidecar.stop('SIGINT', 150_000);
	dropStop();
	if (code !== 0) throw new Error(`kubebridge connect exited with ${code} after SIGINT:\n${sidecar.output().slice(-2000)}`);
	result.disconnectMs = now() - from;
	result.disconnectCalls = totalOf(counter.counts());
	counter.close();
	dropCounter();
	return result;
}

async function idleWindow(scenario, pid, counter, kubectlUser) {
	const kubectlCounter = await startApiCounter(kubectlUser);
	const dropCounter = cleanup.add('stop kubectl\'s counting proxy', () => kubectlCounter.close());
	const steady = await startKubectlSteady(kubectlCounter.kubeconfig, scenario);
	const stopSteady = cleanup.add('stop kubectl\'s steady state', () => Promise.all(steady.map((p) => p.stop())));
	// Both settle first: the window measures the idle state, not the start.
	await sleep(5000);
	counter.reset();
	kubectlCounter.reset();
	const mine = sampleRss(pid, 500);
	const theirs = sampleRss(steady.map((p) => p.child.pid), 500);
	log(`idle for ${idleMs / 1000} s`);
	await sleep(idleMs);
	const idle = {
		rss: mine.stop(), kubectlRss: theirs.stop(),
		calls: counter.counts(), kubectlCalls: kubectlCounter.counts(),
	};
	await Promise.all(steady.map((p) => p.stop()));
	stopSteady();
	kubectlCounter.close();
	dropCounter();
	return idle;
}

async function setUp() {
	log(`deploying ${WIDE_REPLICAS + SMALL.length} echo pods in ${NAMESPACE}`);
	cleanup.add(`delete namespace ${NAMESPACE}`, deleteNamespace);
	deploy();
	const developer = issueKubeconfig({ user: 'kb-scale-developer', namespace: NAMESPACE, rules: DEVELOPER_RULES });
	const kubectlUser = issueKubeconfig({ user: 'kb-scale-kubectl', namespace: NAMESPACE, rules: KUBECTL_RULES });
	for (const user of [developer, kubectlUser]) cleanup.add('remove a kubeconfig', () => rmSync(dirname(user.kubeconfig), { recursive: true, force: true }));
	const echo = startProcess(process.execPath, [new URL('./tunnel/echo-server.mjs', import.meta.url).pathname], { ready: jsonPort });
	cleanup.add('stop the local echo server', () => echo.stop());
	const hostsFile = join(mkdtempSync(join(tmpdir(), 'kb-bench-hosts-')), 'hosts');
	copyFileSync('/etc/hosts', hostsFile);
	cleanup.add('remove the hosts file copy', () => rmSync(dirname(hostsFile), { recursive: true, force: true }));
	return { developer: developer.kubeconfig, kubectlUser: kubectlUser.kubeconfig, localEcho: await echo.value, hostsFile };
}

async function measure() {
	const stage = await setUp();
	const measured = [];
	for (const scenario of scenarios) {
		if (scenario.services) {
			log(`creating ${scenario.services} services`);
			const from = Date.now();
			await addServices(scenario.services);
			log(`their EndpointSlices made after ${((Date.now() - from) / 1000).toFixed(0)} s`);
		}
		const counter = await startApiCounter(stage.kubectlUser);
		const dropCounter = cleanup.add('stop the rollout\'s counting proxy', () => counter.close());
		const results = [];
		for (let round = 0; round < rounds; round++) {
			const result = {};
			const steps = [
				async () => {
					counter.reset();
					result.rolloutMs = await kubectlRollout(counter.kubeconfig, scenario.targets);
					result.rolloutCalls = totalOf(counter.counts());
				},
				async () => { result.kubebridge = await session(scenario, stage, round === 0); },
			];
			for (const step of round % 2 ? steps.reverse() : steps) await step();
			log(`${scenario.name}, round ${round + 1}: kubectl rollout ${seconds(result.rolloutMs)} s; kubebridge ready ${seconds(result.kubebridge.readyMs)} s with ${result.kubebridge.agents} agents, disconnect ${seconds(result.kubebridge.disconnectMs)} s`);
			results.push(result);
		}
		counter.close();
		dropCounter();
		measured.push({ scenario, results });
	}
	return measured;
}

const perMinute = (counts) => (totalOf(counts) * 60_000) / idleMs;
const mb = (value) => value.toFixed(0);
const topCalls = (counts) => [...counts].sort((a, b) => b[1] - a[1]).slice(0, 4)
	.map(([kind, n]) => `${kind} ${((n * 60_000) / idleMs).toFixed(0)}`).join(', ');

function render(measured) {
	const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
	const timing = measured.map(({ scenario, results }) => {
		const k = results.map((r) => r.kubebridge);
		const rollout = median(results.map((r) => r.rolloutMs));
		const ready = median(k.map((r) => r.readyMs));
		const disconnect = median(k.map((r) => r.disconnectMs));
		return `| ${scenario.name} | ${seconds(rollout)} | ${seconds(ready)} (${(ready / rollout).toFixed(2)}×) | ${seconds(disconnect)} (${(disconnect / rollout).toFixed(2)}×) | ${median(results.map((r) => r.rolloutCalls))} | ${median(k.map((r) => r.connectCalls))} + ${median(k.map((r) => r.disconnectCalls))} | ${k[0].agents} | ${k[0].outbound} |`;
	});
	const steady = measured.map(({ scenario, results }) => {
		const { rss, kubectlRss, calls, kubectlCalls } = results[0].kubebridge.idle;
		const what = `${scenario.targets.length} port-forward${scenario.targets.length > 1 ? 's' : ''}${scenario.follow ? ' + services watch' : ''}`;
		return `| ${scenario.name} | ${what}: ${mb(kubectlRss.start)} → ${mb(kubectlRss.max)} → ${mb(kubectlRss.end)} | ${mb(rss.start)} → ${mb(rss.max)} → ${mb(rss.end)} (${(rss.max / kubectlRss.max).toFixed(2)}×) | ${perMinute(kubectlCalls).toFixed(0)} | ${perMinute(calls).toFixed(0)}: ${topCalls(calls)} |`;
	});
	return [
		`Run on ${new Date().toISOString().slice(0, 10)}, ${rounds} rounds taking turns with the baseline, an idle window of ${idleMs / 1000} s; load average (1 min) ${load} at the end.`,
		'',
		'| session | kubectl rollout restart + status (s) | kubebridge connect → "Ready" (s, ratio) | disconnect → exited (s, ratio) | API calls: kubectl rollout | API calls: connect + disconnect | agent pods | services followed |',
		'|---|---|---|---|---|---|---|---|',
		...timing,
		'',
		'While connected and idle (one window, kubectl\'s equivalent running beside the session; memory is resident MB at the start → highest → end of the window):',
		'',
		'| session | kubectl equivalent, MB | kubebridge sidecar, MB (highest, ratio) | kubectl API calls / min | kubebridge API calls / min, the most frequent |',
		'|---|---|---|---|---|',
		...steady,
	].join('\n');
}

await runScript(async () => {
	const measured = await measure();
	process.stdout.write(`${JSON.stringify(measured, (key, value) => (value instanceof Map ? Object.fromEntries(value) : value), 2)}\n`);
	const table = render(measured);
	process.stderr.write(`${table}\n`);
	if (write) log(`wrote ${writeSection('scale', table)}`);
}, { cleanup, log, began });
