// The tunnel benchmark: kubebridge's inbound path (a caller in the cluster -> the agent pod
// -> a port-forward tunnel -> the sidecar -> a process on this machine) against plain
// port-forwards to the same echo pod, on the running test cluster, in one run: first
// straight to the API server, then with Toxiproxy adding 10 ms each way in front of it.
// Writes the table into docs/performance.md (between its markers). Measured, never
// asserted. Options: --quick (small volumes, to try the script), --latency 0,20,
// --profile DIR (the sidecar runs from the bundle on node with --cpu-prof into DIR),
// --no-write (print only).
import { rmSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { issueKubeconfig, kubectlPath, KUBECONFIG } from '../test/helpers/cluster.mjs';
import { DEVELOPER_RULES } from '../test/helpers/developer-role.mjs';
import { Cleanup } from './tunnel/cleanup.mjs';
import { deleteNamespace, deploy, ECHO_PORT, NAMESPACE, onlyEchoPod } from './tunnel/fixture.mjs';
import { concurrentThroughput, roundTrips, singleThroughput } from './tunnel/load.mjs';
import { jsonPort, sampleRss, startProcess } from './tunnel/processes.mjs';
import { machineFacts, writeReport } from './tunnel/report.mjs';
import { connectSession } from './tunnel/sidecar.mjs';
import { startToxiproxy, toxiproxyBinary } from './tunnel/toxiproxy.mjs';

const argv = process.argv.slice(2);
const option = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const quick = argv.includes('--quick');
const MiB = 1 << 20;
const plan = {
	single: (quick ? 32 : 256) * MiB,
	big: quick ? 0 : 1024 * MiB,
	roundTrips: quick ? 200 : 2000,
	connections: 16,
	eachConnection: (quick ? 2 : 16) * MiB,
	latencies: (option('--latency') ?? '0,20').split(',').map(Number),
	profileDir: option('--profile'),
	write: !argv.includes('--no-write') && !quick,
};
/** The whole run, setup and cleanup included, must end within this. */
const RUN_LIMIT_MS = 20 * 60_000;

const began = Date.now();
const log = (text) => process.stderr.write(`[${((Date.now() - began) / 1000).toFixed(1).padStart(6)} s] ${text}\n`);
const cleanup = new Cleanup();
const loadAverage = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

/** Single connection (with the sidecar's or forwarder's memory), round trips, then many connections. */
async function measurePath(address, pid, { big = false } = {}) {
	const result = {};
	let rss = pid ? sampleRss(pid) : null;
	result.single = await singleThroughput(address, plan.single);
	result.rssSingle = rss?.stop();
	log(`  one connection: ${result.single.mbps.toFixed(1)} MB/s`);
	if (big && plan.big) {
		rss = sampleRss(pid);
		result.big = await singleThroughput(address, plan.big);
		result.rssBig = rss.stop();
		log(`  one connection, ${plan.big / MiB} MiB: ${result.big.mbps.toFixed(1)} MB/s, resident ${result.rssBig.start.toFixed(0)} → max ${result.rssBig.max.toFixed(0)} → ${result.rssBig.end.toFixed(0)} MB`);
	}
	result.rtt = await roundTrips(address, plan.roundTrips);
	log(`  1 KiB round trips: p50 ${result.rtt.p50.toFixed(3)} ms, p99 ${result.rtt.p99.toFixed(3)} ms`);
	rss = pid ? sampleRss(pid) : null;
	result.concurrent = await concurrentThroughput(address, plan.connections, plan.eachConnection);
	result.rssConcurrent = rss?.stop();
	log(`  ${plan.connections} connections: ${result.concurrent.mbps.toFixed(1)} MB/s together`);
	return result;
}

async function withProcess(label, start, use) {
	const child = start();
	const drop = cleanup.add(label, () => child.stop());
	try {
		return await use(await child.value, child.child.pid);
	} finally {
		await child.stop();
		drop();
	}
}

async function measureCondition(latencyMs, kubeconfig, localEcho) {
	const condition = { latencyMs, loadBefore: loadAverage() };
	const pod = await onlyEchoPod();
	log(`${latencyMs} ms added: echo pod ${pod.name}`);

	log('kubectl port-forward');
	condition.kubectl = await withProcess('kubectl port-forward', () => startProcess(kubectlPath(), [
		'port-forward', '--kubeconfig', kubeconfig, '-n', NAMESPACE, '--address', '127.0.0.1', `pod/${pod.name}`, `:${ECHO_PORT}`,
	], { ready: (line) => /Forwarding from 127\.0\.0\.1:(\d+)/.exec(line)?.[1] }),
	(port, pid) => measurePath({ host: '127.0.0.1', port: Number(port) }, pid));

	log('a WebSocket port-forward per connection (kubebridge\'s openForward)');
	condition.ws = await withProcess('WebSocket forwarder', () => startProcess(process.execPath, [
		new URL('./tunnel/ws-forwarder.mjs', import.meta.url).pathname, kubeconfig, NAMESPACE, pod.name, String(ECHO_PORT),
	], { ready: jsonPort }),
	(port, pid) => measurePath({ host: '127.0.0.1', port }, pid));

	log('kubebridge connect');
	const session = await connectSession({
		kubeconfig, localPort: localEcho, originals: [pod.name], log, cleanup,
		profileDir: plan.profileDir && `${plan.profileDir}/${latencyMs}ms`,
	});
	log(`  agent pod ${session.agent.name} at ${session.agent.ip}; sidecar pid ${session.pid}, logs in ${session.logDir}`);
	condition.kubebridge = await measurePath({ host: session.agent.ip, port: ECHO_PORT }, session.pid, { big: latencyMs === plan.latencies[0] });
	condition.kubebridge.connectMs = session.answeredMs;
	condition.kubebridge.readyMs = session.readyMs;
	condition.kubebridge.disconnectMs = await session.disconnect();
	log(`  disconnected and restored in ${(condition.kubebridge.disconnectMs / 1000).toFixed(1)} s`);
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
	log(`deploying the echo server in ${NAMESPACE}`);
	cleanup.add(`delete namespace ${NAMESPACE}`, deleteNamespace);
	deploy();
	const developer = issueKubeconfig({ user: 'kb-bench-developer', namespace: NAMESPACE, rules: DEVELOPER_RULES });
	cleanup.add('remove the developer kubeconfig', () => rmSync(dirname(developer.kubeconfig), { recursive: true, force: true }));
	const echo = startProcess(process.execPath, [new URL('./tunnel/echo-server.mjs', import.meta.url).pathname], { ready: jsonPort });
	cleanup.add('stop the local echo server', () => echo.stop());
	const localEcho = await echo.value;

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
		conditions.push(await measureCondition(latencyMs, kubeconfig, localEcho));
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
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.once(signal, () => {
		log(`${signal}: cleaning up`);
		void cleanup.run(log).finally(() => process.exit(130));
	});
}

try {
	await run();
} catch (error) {
	log(`failed: ${error.stack ?? error}`);
	process.exitCode = 1;
} finally {
	await cleanup.run(log);
	clearTimeout(limit);
	log(`done in ${((Date.now() - began) / 1000).toFixed(0)} s`);
}
