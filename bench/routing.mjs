// The routed path's latency: while a session shares `api` by header routing, a caller in
// the cluster sends small HTTP/1.1 requests on one keep-alive connection with the header
// (answered on this machine), without it (answered by an original through the router),
// and straight to the original pod's IP (no kubebridge at all: the baseline). The kinds
// take turns request by request, so the load of the machine falls on all alike; before
// the session, the Service itself is measured too. Measured, never asserted.
// Options: --requests N (per kind, default 500), --no-write.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { issueKubeconfig, kubectlJsonAsync } from '../test/helpers/cluster.mjs';
import { DEVELOPER_RULES, ROUTING_RULES } from '../test/helpers/developer-role.mjs';
import { dualServer } from '../test/helpers/dual-server.mjs';
import { startSidecar } from '../test/helpers/executable.mjs';
import {
	AGENT_IMAGE, RESTRICTED_CONTAINER, apply, clientManifests, createNamespace, deleteNamespace, disconnectAndExit, inClient, rolloutDone,
} from '../test/helpers/workload-fixtures.mjs';
import { oneContainerWorkload } from '../test/helpers/workload-manifest.mjs';
import { writeSection } from './report-section.mjs';
import { percentiles } from './tunnel/load.mjs';

const argv = process.argv.slice(2);
const option = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const requests = Number(option('--requests') ?? 500);
const write = !argv.includes('--no-write');
const ns = 'kb-bench-route';
const HEADER = { header: 'x-bench', value: 'mine' };
const began = Date.now();
const log = (text) => process.stderr.write(`[${((Date.now() - began) / 1000).toFixed(1).padStart(6)} s] ${text}\n`);

function manifests() {
	return [
		oneContainerWorkload(ns, 'api', {
			name: 'app', image: AGENT_IMAGE, imagePullPolicy: 'IfNotPresent',
			command: ['/usr/local/bin/node', '-e', `(${dualServer})({ port: 8080, name: process.env.HOSTNAME })`],
			ports: [{ name: 'http', containerPort: 8080 }],
			readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1 },
			securityContext: RESTRICTED_CONTAINER,
		}),
		{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: ns }, spec: { selector: { app: 'api' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
		...clientManifests(ns),
	];
}

/**
 * From the client pod: `count` rounds, each one request of every kind in turn, each kind on
 * its own keep-alive connection; the milliseconds of each request, per kind, after a warm-up.
 */
const latencyScript = (kinds, count) => `
const http = require('node:http');
const kinds = ${JSON.stringify(kinds)};
const agents = kinds.map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
const one = (kind, agent) => new Promise((resolve, reject) => {
	const started = process.hrtime.bigint();
	const req = http.get(kind.url, { agent, headers: kind.headers, timeout: 10000 }, (res) => {
		let body = '';
		res.on('data', (d) => { body += d; });
		res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, body }));
	});
	req.on('timeout', () => req.destroy(new Error('timeout')));
	req.on('error', reject);
});
(async () => {
	const samples = kinds.map(() => []);
	const bodies = kinds.map(() => new Set());
	for (let round = -20; round < ${count}; round++) {
		for (const [i, kind] of kinds.entries()) {
			const { ms, body } = await one(kind, agents[i]);
			let who = body;
			try { who = JSON.parse(body).who; } catch {}
			if (round >= 0) { samples[i].push(ms); bodies[i].add(who); }
		}
	}
	console.log(JSON.stringify(kinds.map((kind, i) => ({ name: kind.name, samples: samples[i], answeredBy: [...bodies[i]] }))));
})().catch((error) => { console.log(JSON.stringify({ error: String(error) })); });`;

async function measure(kinds) {
	const result = await inClient(ns, latencyScript(kinds, requests));
	if (result.error) throw new Error(`the client pod's calls failed: ${result.error}`);
	return result;
}

async function run() {
	deleteNamespace(ns);
	createNamespace(ns, { 'pod-security.kubernetes.io/enforce': 'restricted' });
	apply(manifests());
	await Promise.all([rolloutDone(ns, 'api'), rolloutDone(ns, 'client')]);
	const developer = issueKubeconfig({ user: `dev-${ns}`, namespace: ns, rules: [...DEVELOPER_RULES, ...ROUTING_RULES] });
	const local = http.createServer((req, res) => res.end('answered on this machine'));
	await new Promise((resolve) => local.listen(0, '127.0.0.1', resolve));
	const sidecar = startSidecar({ args: ['--kubeconfig', developer.kubeconfig] });
	try {
		const [original] = (await kubectlJsonAsync(['get', 'pods', '-n', ns, '-l', 'app=api'])).items;
		const direct = { name: 'straight to the original pod', url: `http://${original.status.podIP}:8080/`, headers: {} };
		log(`before the session: ${requests} requests each to the Service and straight to the pod`);
		const before = await measure([{ name: 'the Service, no session', url: 'http://api/', headers: {} }, direct]);

		await sidecar.client.initialize({ cluster: { namespace: ns } });
		const response = await sidecar.client.request('session/connect', {
			targets: [{ service: 'api', localPort: local.address().port, route: HEADER }], workDoneToken: 'connect',
		}, 180_000);
		if (!response.result) throw new Error(`connect failed: ${JSON.stringify(response.error)}`);
		log(`routed: ${requests} requests each with the header, without it, and straight to the pod`);
		const routed = await measure([
			{ name: `the Service with ${HEADER.header}: ${HEADER.value} (this machine)`, url: 'http://api/', headers: { [HEADER.header]: HEADER.value } },
			{ name: 'the Service without the header (an original, through the router)', url: 'http://api/', headers: {} },
			direct,
		]);
		await disconnectAndExit(sidecar);
		return { before, routed };
	} finally {
		sidecar.child.kill('SIGKILL');
		local.close();
		developer.revoke();
		deleteNamespace(ns);
	}
}

function render({ before, routed }) {
	// The last kind of each measurement is the straight one.
	const lines = (rows, phase) => rows.map((row) => {
		const { p50, p99 } = percentiles(row.samples);
		const base = percentiles(rows.at(-1).samples);
		return `| ${phase} | ${row.name} | ${p50.toFixed(2)} | ${p99.toFixed(2)} | ${(p50 / base.p50).toFixed(2)}× | ${(p99 / base.p99).toFixed(2)}× | ${row.answeredBy.join(', ')} |`;
	});
	const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
	return [
		`Run on ${new Date().toISOString().slice(0, 10)}: ${requests} small HTTP/1.1 GETs per kind from a pod of the cluster, one keep-alive connection per kind, the kinds taking turns request by request (20 warm-up rounds not counted); load average (1 min) ${load} at the end.`,
		'',
		'| when | request | p50 (ms) | p99 (ms) | p50 / straight | p99 / straight | answered by |',
		'|---|---|---|---|---|---|---|',
		...lines(before, 'no session'),
		...lines(routed, 'routed session'),
	].join('\n');
}

run().then((results) => {
	const table = render(results);
	process.stdout.write(`${table}\n`);
	if (write) log(`wrote ${writeSection('routing', table)}`);
}, (error) => {
	log(`failed: ${error.stack ?? error}`);
	process.exitCode = 1;
});
