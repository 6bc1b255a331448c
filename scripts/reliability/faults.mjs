// Network faults between the sidecar and the API server (Toxiproxy in front of it) and the
// agent pod deleted, each while a prober pod calls the connected Service ten times a second
// and a streamed response is in flight. For each: how long after the fault ended a probe
// sent after it was served by the local process, what happened to the stream, and the
// `session/didChangeState` notifications the client got.
import { spawn } from 'node:child_process';
import { toxiproxyApi } from '../../bench/tunnel/toxiproxy.mjs';
import { inClient, kubectlAsync, podsOf, sleep } from '../../test/helpers/workload-fixtures.mjs';
import { recordChanges, summarize } from './changes.mjs';
import { connectWeb, PROBE_EVERY_MS, PROBE_TIMEOUT_MS } from './stage.mjs';

/** How long each fault lasts; the lease (20 s) outlives it, so the restorer must not step in. */
export const FAULT_MS = 10_000;
const SERVED_BOUND_MS = 60_000;
const STEADY_MS = 3000;
/** Probes go every 100 ms; a longer gap between two served ones means some were not. */
const MAX_PROBE_GAP_MS = 300;

const toxic = (stage, body) => toxiproxyApi(stage.toxiproxy.base, 'POST', '/proxies/apiserver/toxics', body);
const untoxic = (stage, name) => toxiproxyApi(stage.toxiproxy.base, 'DELETE', `/proxies/apiserver/toxics/${name}`);
const both = async (stage, type, attributes) => {
	for (const stream of ['upstream', 'downstream']) await toxic(stage, { name: `${type}_${stream}`, type, stream, toxicity: 1, attributes });
};
const unboth = async (stage, type) => {
	for (const stream of ['upstream', 'downstream']) await untoxic(stage, `${type}_${stream}`);
};
const enabled = (stage, on) => toxiproxyApi(stage.toxiproxy.base, 'POST', '/proxies/apiserver', { enabled: on });

/** The network faults, each applied for FAULT_MS and then taken away. */
export const NETWORK_FAULTS = [
	{ name: 'connection reset', how: '`reset_peer` (timeout 0) on both directions: every connection that carries a byte is reset, new ones too', start: (s) => both(s, 'reset_peer', { timeout: 0 }), end: (s) => unboth(s, 'reset_peer') },
	{ name: 'black hole', how: '`timeout` (0) on both directions: bytes are dropped and connections stay open; removing it closes them', start: (s) => both(s, 'timeout', { timeout: 0 }), end: (s) => unboth(s, 'timeout') },
	{ name: '20 ms latency', how: '`latency` 10 ms each way', start: (s) => both(s, 'latency', { latency: 10, jitter: 0 }), end: (s) => unboth(s, 'latency') },
	{ name: '200 ms latency', how: '`latency` 100 ms each way', start: (s) => both(s, 'latency', { latency: 100, jitter: 0 }), end: (s) => unboth(s, 'latency') },
	{ name: 'bandwidth cap', how: '`bandwidth` 32 KB/s each way', start: (s) => both(s, 'bandwidth', { rate: 32 }), end: (s) => unboth(s, 'bandwidth') },
	{ name: 'proxy down', how: 'the proxy disabled: its connections closed, its port refusing', start: (s) => enabled(s, false), end: (s) => enabled(s, true) },
];

/** A response streamed from the local process across the fault: how it ended and its longest silence. */
function inFlightStream(stage, seconds) {
	return inClient(stage.namespace, `
const http = require('node:http');
let lines = 0, last = Date.now(), gap = 0, buffered = '';
const done = (how) => { gap = Math.max(gap, Date.now() - last); console.log(JSON.stringify({ how, lines, gapMs: gap })); process.exit(0); };
const req = http.get('http://web/stream?s=${seconds}', { agent: false }, (res) => {
	res.setEncoding('utf8');
	res.on('data', (d) => { buffered += d; const n = buffered.split('\\n').length - 1; if (n > lines) { gap = Math.max(gap, Date.now() - last); last = Date.now(); lines = n; } });
	res.on('end', () => done(lines >= ${seconds * 10} ? 'complete' : 'ended early'));
	res.on('error', (e) => done('error ' + (e.code || e.message)));
	res.on('aborted', () => done('aborted'));
});
req.on('error', (e) => done('error ' + (e.code || e.message)));
setTimeout(() => done('still open'), ${(seconds + 30) * 1000});`)
		// kubectl exec itself goes through the API server: restarting it loses the answer.
		.catch((error) => ({ how: `not known: ${error.message.split('\n')[0].slice(0, 80)}`, lines: 0, gapMs: 0 }));
}

/** How the prober's long response, open when the fault began, ended as the local process saw it. */
function proberStream(stage, began) {
	const open = stage.local.streams.filter((r) => r.from === 'prober' && r.started < began && (r.ended === null || r.ended >= began));
	if (open.length === 0) return 'none was open';
	return [...new Set(open.map((r) => (r.ended === null ? 'still open' : `${r.how} ${((r.ended - began) / 1000).toFixed(1)} s after the fault began`)))].join('; ');
}

/** Probes served in time, by send time. */
const servedSends = (stage) => stage.local.arrivals.filter((a) => a.at - a.sent < PROBE_TIMEOUT_MS).map((a) => a.sent).sort((x, y) => x - y);

/**
 * When serving resumed after `from`: the send time (in ms after `from`) of the first probe
 * served from which on every probe for STEADY_MS was served too, so a pod on its way out
 * answering a last probe does not count. Waits for it up to SERVED_BOUND_MS.
 */
async function servedAgain(stage, from) {
	while (Date.now() < from + SERVED_BOUND_MS + STEADY_MS) {
		const sends = servedSends(stage).filter((t) => t >= from);
		for (let i = 0; i < sends.length; i++) {
			let j = i;
			while (j + 1 < sends.length && sends[j + 1] - sends[j] <= MAX_PROBE_GAP_MS) j++;
			if (sends[j] - sends[i] >= STEADY_MS) return sends[i] - from;
			i = j;
		}
		await sleep(100);
	}
	return null;
}

/** The longest time between two probes served in time, sent in [from, to). */
function longestOutage(stage, from, to) {
	const sends = [from, ...servedSends(stage).filter((t) => t >= from && t < to), to];
	return Math.max(...sends.slice(1).map((t, i) => t - sends[i]));
}

/** The share of probes sent during [from, to) that the local process got within the prober's timeout. */
function servedShare(stage, from, to) {
	const got = stage.local.arrivals.filter((a) => a.sent >= from && a.sent < to && a.at - a.sent < PROBE_TIMEOUT_MS).length;
	return Math.min(1, got / Math.max(1, Math.floor((to - from) / PROBE_EVERY_MS)));
}

/** One fault: served before, the stream and the fault, then when serving resumed. */
async function runFault(stage, changes, fault, log, faultMs) {
	if (await servedAgain(stage, Date.now()) === null) throw new Error(`${fault.name}: not served before the fault`);
	const stream = inFlightStream(stage, Math.round(faultMs / 1000) + 10);
	await sleep(2000);
	let began = Date.now();
	const times = await fault.start(stage);
	if (times?.gone) began = times.gone;
	await sleep(fault.ms ?? faultMs);
	await fault.end(stage);
	const ended = Date.now();
	const resumedMs = await servedAgain(stage, ended);
	const inFlight = await stream;
	await sleep(1000);
	const result = {
		name: fault.name, how: fault.how, faultMs: ended - began, resumedMs,
		servedDuring: servedShare(stage, began, ended), longestOutageMs: longestOutage(stage, began, ended + (resumedMs ?? 0) + STEADY_MS), inFlight,
		proberStream: proberStream(stage, began),
		changes: summarize(changes.since(began)),
	};
	log(`${fault.name}: served again ${resumedMs === null ? 'never' : `${resumedMs} ms`} after the fault ended; during it ${(result.servedDuring * 100).toFixed(0)} % served; longest outage ${result.longestOutageMs} ms; stream ${inFlight.how} (${inFlight.lines} lines, longest gap ${inFlight.gapMs} ms); the prober's stream: ${result.proberStream}; ${result.changes}`);
	return result;
}

/** The agent pod deleted with `kubectl delete pod --wait=false`: from the delete until a new probe is served. */
const agentPodDeleted = {
	name: 'agent pod deleted', how: '`kubectl delete pod` of the one agent pod (grace 2 s); the ReplicaSet makes another', ms: 0,
	start: async (stage) => {
		const agents = (await podsOf(stage.namespace, 'kubebridge.io/session')).filter((p) => !p.metadata.deletionTimestamp && !p.metadata.labels['kubebridge.io/role']);
		await kubectlAsync(['delete', 'pod', '-n', stage.namespace, ...agents.map((p) => p.metadata.name), '--wait=false']);
	},
	end: async () => undefined,
};

/**
 * A cluster component restarted by test/cluster/scripts/restart-component.sh, the way the
 * cluster's scripts start it: from the old process's end until the cluster is ready again.
 * Run without blocking, so the local process keeps answering meanwhile.
 */
function restartOf(component, name, how) {
	return {
		name, how, ms: 0, cluster: true,
		start: () => new Promise((resolve, reject) => {
			const child = spawn('bash', [new URL('../../test/cluster/scripts/restart-component.sh', import.meta.url).pathname, component], { stdio: ['ignore', 'pipe', 'inherit'] });
			let out = '';
			child.stdout.on('data', (d) => { out += d; });
			child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`restarting ${component} failed (${code})`))));
		}),
		end: async () => undefined,
	};
}

/** These disturb everyone on the shared cluster: run only when named. */
export const CLUSTER_RESTARTS = [
	restartOf('kube-apiserver', 'API server restarted', 'the kube-apiserver process ended (SIGTERM) and started again as `up` starts it; timed from its end, over until `/readyz` answers'),
	restartOf('kubelet', 'kubelet restarted', 'the kubelet ended (SIGTERM) and started again as `up` starts it; the pods keep running; over once the node is Ready'),
];

/** Every fault in turn on one connected session; the proxy faults need a stage with Toxiproxy. */
export async function runFaults(stage, { cleanup, log, only, faultMs = FAULT_MS }) {
	const { sidecar, dropCleanup } = await connectWeb(stage, { cleanup });
	const changes = recordChanges(sidecar);
	log(`sidecar pid ${sidecar.child.pid}, its log in ${sidecar.logDir}`);
	const results = [];
	try {
		for (const fault of [...NETWORK_FAULTS, agentPodDeleted, ...CLUSTER_RESTARTS]) {
			if (only ? !only.includes(fault.name) : fault.cluster) continue;
			results.push(await runFault(stage, changes, fault, log, faultMs));
		}
		const disconnect = await sidecar.client.request('session/disconnect', {}, 150_000);
		if (!disconnect.result) throw new Error(`session/disconnect failed: ${JSON.stringify(disconnect.error)}`);
		await sidecar.client.request('shutdown', undefined, 60_000);
		sidecar.client.notify('exit');
		await sidecar.exited;
		dropCleanup();
	} finally {
		changes.stop();
	}
	return results;
}
