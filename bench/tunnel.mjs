// The tunnel benchmark: kubebridge's inbound path (a caller in the cluster -> the agent pod
// -> a port-forward tunnel -> the sidecar -> a process on this machine) and its outbound
// path (a client here -> the twin's service by name -> the agent -> the twin pod) against
// plain port-forwards to the twin echo pod, on the running test cluster, in one run:
// first straight to the API server, then with Toxiproxy adding 10 ms each way in front of
// it. The paths take turns, round after round, so a busy neighbour weighs on all alike.
// Writes the table into docs/performance.md (between its markers). Measured, never
// asserted. Options: --quick (small volumes, to try the script), --latency 0,20,
// --profile DIR (the sidecar runs from the bundle on node with --cpu-prof into DIR),
// --no-write (print only).
import { writeFileSync, readFileSync } from 'node:fs';
import { kubectlPath, KUBECONFIG } from '../test/helpers/cluster.mjs';
import { setUpBench } from './tunnel/bench-stage.mjs';
import { runScript, startBench } from './tunnel/cleanup.mjs';
import { countCpu } from './tunnel/cpu-by-process.mjs';
import { ECHO_PORT, NAMESPACE, onlyEchoPod, PLAIN } from './tunnel/fixture.mjs';
import { concurrentThroughput, newConnections, percentiles, roundTrips, singleThroughput } from './tunnel/load.mjs';
import { jsonPort, sampleRss, startProcess } from './tunnel/processes.mjs';
import { machineFacts, writeReport } from './tunnel/report.mjs';
import { connectSession } from './tunnel/sidecar.mjs';
import { startToxiproxy, toxiproxyBinary } from './tunnel/toxiproxy.mjs';

const argv = process.argv.slice(2);
const option = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const quick = argv.includes('--quick');
const MiB = 1 << 20;
const plan = {
	rounds: quick ? 1 : 3,
	single: (quick ? 32 : 256) * MiB,
	big: quick ? 0 : 1024 * MiB,
	roundTrips: quick ? 200 : 700,
	newConnections: quick ? 20 : 60,
	connections: 16,
	eachConnection: (quick ? 2 : 8) * MiB,
	latencies: (option('--latency') ?? '0,20').split(',').map(Number),
	profileDir: option('--profile'),
	write: !argv.includes('--no-write') && !quick,
};
/** The whole run, setup and cleanup included, must end within this. */
const RUN_LIMIT_MS = 20 * 60_000;

const { began, log, cleanup } = startBench();
const loadAverage = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
const summary = (runs) => ({ mbps: median(runs.map((r) => r.mbps)), min: Math.min(...runs.map((r) => r.mbps)), max: Math.max(...runs.map((r) => r.mbps)), runs: runs.length });
/** Each round starts with another path, so no path always follows the same one. */
const rotated = (paths, round) => paths.map((_, i) => paths[(i + round) % paths.length]);

async function startForwarder(label, child) {
	const drop = cleanup.add(label, () => child.stop());
	const port = await child.value;
	return { port: Number(port), pid: child.child.pid, stop: async () => { await child.stop(); drop(); } };
}

/**
 * Every path in turn, round after round, for each measurement: one connection (with the
 * CPU each kind of process spent on it), 1 KiB round trips (pooled over the rounds), then
 * many connections together. Throughput is the median of the rounds.
 */
async function measureRounds(paths) {
	const results = Object.fromEntries(paths.map((path) => [path.name, { single: [], cpu: new Map(), rtt: [], dial: [], concurrent: [] }]));
	for (let round = 0; round < plan.rounds; round++) {
		for (const path of rotated(paths, round)) {
			const cpu = countCpu();
			const run = await singleThroughput(path.address, plan.single);
			for (const { name, seconds } of cpu.stop()) results[path.name].cpu.set(name, (results[path.name].cpu.get(name) ?? 0) + seconds);
			results[path.name].single.push(run);
			log(`  round ${round + 1}, ${path.name}: one connection ${run.mbps.toFixed(1)} MB/s`);
		}
	}
	for (let round = 0; round < plan.rounds; round++) {
		for (const path of rotated(paths, round)) {
			results[path.name].rtt.push(...await roundTrips(path.address, plan.roundTrips));
			results[path.name].dial.push(...await newConnections(path.address, plan.newConnections));
			log(`  round ${round + 1}, ${path.name}: ${plan.roundTrips} round trips, ${plan.newConnections} new connections`);
		}
	}
	for (let round = 0; round < plan.rounds; round++) {
		for (const path of rotated(paths, round)) {
			const run = await concurrentThroughput(path.address, plan.connections, plan.eachConnection);
			results[path.name].concurrent.push(run);
			log(`  round ${round + 1}, ${path.name}: ${plan.connections} connections ${run.mbps.toFixed(1)} MB/s together`);
		}
	}
	const gigabytes = (plan.rounds * plan.single) / 1e9;
	return Object.fromEntries(Object.entries(results).map(([name, r]) => [name, {
		single: summary(r.single),
		concurrent: summary(r.concurrent),
		rtt: percentiles(r.rtt),
		dial: percentiles(r.dial),
		cpuPerGB: [...r.cpu].map(([process, seconds]) => ({ process, seconds: seconds / gigabytes })).sort((x, y) => y.seconds - x.seconds),
	}]));
}

async function measureCondition(latencyMs, kubeconfig, localEcho, hostsFile) {
	const condition = { latencyMs, loadBefore: loadAverage() };
	const plain = await onlyEchoPod(PLAIN);
	const original = await onlyEchoPod('echo');
	log(`${latencyMs} ms added: plain port-forwards to ${plain.name}, kubebridge connects ${original.name}`);
	const kubectlForward = await startForwarder('kubectl port-forward', startProcess(kubectlPath(), [
		'port-forward', '--kubeconfig', kubeconfig, '-n', NAMESPACE, '--address', '127.0.0.1', `pod/${plain.name}`, `:${ECHO_PORT}`,
	], { ready: (line) => /Forwarding from 127\.0\.0\.1:(\d+)/.exec(line)?.[1] }));
	const wsForward = await startForwarder('WebSocket forwarder', startProcess(process.execPath, [
		new URL('./tunnel/ws-forwarder.mjs', import.meta.url).pathname, kubeconfig, NAMESPACE, plain.name, String(ECHO_PORT),
	], { ready: jsonPort }));
	const spdyForward = await startForwarder('SPDY forwarder', startProcess(process.execPath, [
		new URL('./tunnel/spdy-forwarder.mjs', import.meta.url).pathname, kubeconfig, NAMESPACE, plain.name, String(ECHO_PORT),
	], { ready: jsonPort }));

	log('kubebridge connect');
	const session = await connectSession({
		kubeconfig, localPort: localEcho, originals: [original.name], log, cleanup, hostsFile,
		profileDir: plan.profileDir && `${plan.profileDir}/${latencyMs}ms`,
	});
	log(`  agent pod ${session.agent.name} at ${session.agent.ip}; sidecar pid ${session.pid}, logs in ${session.logDir}`);
	const paths = [
		{ name: 'kubectl', address: { host: '127.0.0.1', port: kubectlForward.port }, pid: kubectlForward.pid },
		{ name: 'ws', address: { host: '127.0.0.1', port: wsForward.port }, pid: wsForward.pid },
		{ name: 'spdy', address: { host: '127.0.0.1', port: spdyForward.port }, pid: spdyForward.pid },
		{ name: 'kubebridge', address: { host: session.agent.ip, port: ECHO_PORT }, pid: session.pid },
		{ name: 'outbound', address: session.outboundAddress(PLAIN), pid: session.pid },
	];
	const memory = paths.map((path) => sampleRss(path.pid));
	const measured = await measureRounds(paths);
	paths.forEach((path, i) => { measured[path.name].rss = memory[i].stop(); });
	measured.outbound.service = PLAIN;
	Object.assign(condition, measured);
	if (latencyMs === plan.latencies[0] && plan.big) {
		const rss = sampleRss(session.pid);
		condition.kubebridge.big = await singleThroughput(paths.find((path) => path.name === 'kubebridge').address, plan.big);
		condition.kubebridge.rssBig = rss.stop();
		const r = condition.kubebridge.rssBig;
		log(`  kubebridge, one connection, ${plan.big / MiB} MiB: ${condition.kubebridge.big.mbps.toFixed(1)} MB/s, sidecar resident ${r.start.toFixed(0)} → max ${r.max.toFixed(0)} → ${r.end.toFixed(0)} MB`);
	}
	condition.kubebridge.connectMs = session.answeredMs;
	condition.kubebridge.readyMs = session.readyMs;
	condition.kubebridge.disconnectMs = await session.disconnect();
	log(`  disconnected and restored in ${(condition.kubebridge.disconnectMs / 1000).toFixed(1)} s`);
	await kubectlForward.stop();
	await wsForward.stop();
	await spdyForward.stop();
	condition.loadAfter = loadAverage();
	return condition;
}

/** A copy of the kubeconfig whose `server:` is the proxy (the API server's certificate covers 127.0.0.1). */
function proxiedKubeconfig(kubeconfig, listen) {
	const copy = `${kubeconfig}.toxiproxy`;
	writeFileSync(copy, readFileSync(kubeconfig, 'utf8').replace(/server: https:\/\/\S+/, `server: https://${listen}`));
	return copy;
}

async function run() {
	const toxiproxy = plan.latencies.some((l) => l > 0) ? toxiproxyBinary(log) : null;
	const facts = machineFacts(KUBECONFIG);
	const { developer, localEcho, hostsFile } = await setUpBench({ log, cleanup });

	const conditions = [];
	for (const latencyMs of plan.latencies) {
		let kubeconfig = developer.kubeconfig;
		if (latencyMs > 0) {
			const upstream = /server: https:\/\/(\S+)/.exec(readFileSync(kubeconfig, 'utf8'))[1];
			const proxy = await startToxiproxy(toxiproxy, upstream, latencyMs / 2);
			cleanup.add('stop Toxiproxy', proxy.stop);
			log(`Toxiproxy on ${proxy.listen} → ${upstream}, ${latencyMs / 2} ms each way`);
			kubeconfig = proxiedKubeconfig(kubeconfig, proxy.listen);
		}
		conditions.push(await measureCondition(latencyMs, kubeconfig, localEcho, hostsFile));
	}
	const results = { facts, plan, conditions, durationS: (Date.now() - began) / 1000 };
	process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
	if (plan.write) {
		const file = writeReport(results);
		log(`wrote ${file}`);
	}
}

const limit = setTimeout(() => {
	log(`the run passed ${RUN_LIMIT_MS / 60_000} minutes: stopping`);
	void cleanup.run(log).finally(() => process.exit(2));
}, RUN_LIMIT_MS);
await runScript(run, { cleanup, log, began });
clearTimeout(limit);
