// The tunnel benchmark's table: the machine and versions it ran on, each path's figures,
// kubebridge's ratio to each plain port-forward, and the goals, written between the
// markers of docs/performance.md so the prose around them stays as written.
import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';
import { kubectlPath } from '../../test/helpers/cluster.mjs';
import { EXECUTABLE } from '../../test/helpers/executable.mjs';
import { writeSection } from '../report-section.mjs';
import { toxiproxyVersion } from './toxiproxy.mjs';

export function machineFacts(kubeconfig) {
	const versions = JSON.parse(execFileSync(kubectlPath(), ['--kubeconfig', kubeconfig, 'version', '-o', 'json'], { encoding: 'utf8' }));
	return {
		date: new Date().toISOString().slice(0, 10),
		cores: cpus().length,
		cpu: cpus()[0]?.model ?? 'unknown',
		memoryGiB: Math.round(totalmem() / 2 ** 30),
		kernel: release(),
		kubebridge: execFileSync(EXECUTABLE, ['--version'], { encoding: 'utf8', env: { PATH: '/nonexistent' } }).trim(),
		node: process.version,
		kubernetes: versions.serverVersion?.gitVersion,
		kubectl: versions.clientVersion?.gitVersion,
		toxiproxy: toxiproxyVersion(),
	};
}

const MiB = 1 << 20;
const mb = (value) => value.toFixed(1);
const ms = (value) => value.toFixed(2);
const ratio = (kb, base) => `${(kb / base).toFixed(2)}×`;
const added = (kb, base) => `${kb - base >= 0 ? '+' : ''}${(kb - base).toFixed(2)} ms`;
const verdict = (checks) => (checks.every(Boolean) ? 'yes' : checks.some(Boolean) ? 'against one baseline only' : 'no');
const rssText = (r) => (r ? `${r.start.toFixed(0)} → ${r.max.toFixed(0)} → ${r.end.toFixed(0)}` : '–');

const spread = (r) => `${mb(r.mbps)} (${mb(r.min)}–${mb(r.max)})`;
const cpuText = (entries) => entries.slice(0, 7).map((e) => `${e.process} ${e.seconds.toFixed(1)}`).join(', ');

/** The outbound path (this machine → a service by name → its pod) against the same baselines, to the same pod. */
function outboundRows({ kubectl, ws, outbound }, plan) {
	if (!outbound) return [];
	const row = (what, base, value, show, compare) => `| ${what} | ${show(base.kubectl)} | ${show(base.ws)} | ${show(value)} | ${compare(value, base.kubectl)} | ${compare(value, base.ws)} |`;
	return ['', `Outbound, this machine → \`${outbound.service}\` by its cluster name → the same pod the plain forwards reach:`, '',
		'| measurement | kubectl port-forward | WebSocket forward per connection | kubebridge outbound | outbound / kubectl | outbound / WebSocket forward |',
		'|---|---|---|---|---|---|',
		row(`one connection, ${plan.single / MiB} MiB echoed: MB/s, median (range)`, { kubectl: kubectl.single, ws: ws.single }, outbound.single, spread, (v, b) => ratio(v.mbps, b.mbps)),
		row(`${plan.connections} connections together: MB/s, median (range)`, { kubectl: kubectl.concurrent, ws: ws.concurrent }, outbound.concurrent, spread, (v, b) => ratio(v.mbps, b.mbps)),
		row('1 KiB round trip p50 (ms), one connection', { kubectl: kubectl.rtt.p50, ws: ws.rtt.p50 }, outbound.rtt.p50, ms, added),
		row('1 KiB round trip p99 (ms)', { kubectl: kubectl.rtt.p99, ws: ws.rtt.p99 }, outbound.rtt.p99, ms, added),
		row('new connection: connect + first 1 KiB echoed, p50 (ms)', { kubectl: kubectl.dial.p50, ws: ws.dial.p50 }, outbound.dial.p50, ms, added),
	];
}

/** The transports alone, each a plain forwarder to the same pod: kubectl's stream, a WebSocket per connection, kubebridge's SPDY session. */
function transportRows({ kubectl, ws, spdy }, plan) {
	if (!spdy) return [];
	const row = (what, show, compare, pick) => `| ${what} | ${show(pick(kubectl))} | ${show(pick(ws))} | ${show(pick(spdy))} | ${compare(pick(spdy), pick(kubectl))} | ${compare(pick(spdy), pick(ws))} |`;
	const throughput = (v, b) => ratio(v.mbps, b.mbps);
	return ['', 'The transports alone, each a plain forwarder to the same pod (kubebridge\'s SPDY session: `bench/tunnel/spdy-forwarder.mjs`, every connection a stream pair over one WebSocket, as kubectl\'s):', '',
		'| measurement | kubectl port-forward | WebSocket forward per connection | SPDY session | SPDY / kubectl | SPDY / WebSocket forward |',
		'|---|---|---|---|---|---|',
		row(`one connection, ${plan.single / MiB} MiB echoed: MB/s, median (range)`, spread, throughput, (p) => p.single),
		row(`${plan.connections} connections together: MB/s, median (range)`, spread, throughput, (p) => p.concurrent),
		row('1 KiB round trip p50 (ms), one connection', ms, added, (p) => p.rtt.p50),
		row('1 KiB round trip p99 (ms)', ms, added, (p) => p.rtt.p99),
		row('new connection: connect + first 1 KiB echoed, p50 (ms)', ms, added, (p) => p.dial.p50),
		`| forwarder resident memory over all rounds, start → max → end (MB) | ${rssText(kubectl.rss)} | ${rssText(ws.rss)} | ${rssText(spdy.rss)} | | |`,
	];
}

function conditionTable({ latencyMs, kubectl, ws, spdy, kubebridge, outbound, loadBefore, loadAfter }, plan) {
	const rows = [
		'| measurement | kubectl port-forward | WebSocket forward per connection | kubebridge | kubebridge / kubectl | kubebridge / WebSocket forward | goal | met |',
		'|---|---|---|---|---|---|---|---|',
		`| one connection, ${plan.single / MiB} MiB echoed: MB/s, median (range) of ${plan.rounds} | ${spread(kubectl.single)} | ${spread(ws.single)} | ${spread(kubebridge.single)} | ${ratio(kubebridge.single.mbps, kubectl.single.mbps)} | ${ratio(kubebridge.single.mbps, ws.single.mbps)} | ≥ 0.95× | ${verdict([kubebridge.single.mbps >= 0.95 * kubectl.single.mbps, kubebridge.single.mbps >= 0.95 * ws.single.mbps])} |`,
		`| ${plan.connections} connections together, ${plan.eachConnection / MiB} MiB each: MB/s, median (range) | ${spread(kubectl.concurrent)} | ${spread(ws.concurrent)} | ${spread(kubebridge.concurrent)} | ${ratio(kubebridge.concurrent.mbps, kubectl.concurrent.mbps)} | ${ratio(kubebridge.concurrent.mbps, ws.concurrent.mbps)} | ≥ 0.9× | ${verdict([kubebridge.concurrent.mbps >= 0.9 * kubectl.concurrent.mbps, kubebridge.concurrent.mbps >= 0.9 * ws.concurrent.mbps])} |`,
		`| 1 KiB round trip p50 (ms), ${kubebridge.rtt.count} on one connection per path | ${ms(kubectl.rtt.p50)} | ${ms(ws.rtt.p50)} | ${ms(kubebridge.rtt.p50)} | ${added(kubebridge.rtt.p50, kubectl.rtt.p50)} | ${added(kubebridge.rtt.p50, ws.rtt.p50)} | < +0.3 ms | ${verdict([kubebridge.rtt.p50 - kubectl.rtt.p50 < 0.3, kubebridge.rtt.p50 - ws.rtt.p50 < 0.3])} |`,
		`| 1 KiB round trip p99 (ms) | ${ms(kubectl.rtt.p99)} | ${ms(ws.rtt.p99)} | ${ms(kubebridge.rtt.p99)} | ${added(kubebridge.rtt.p99, kubectl.rtt.p99)} | ${added(kubebridge.rtt.p99, ws.rtt.p99)} | | |`,
		`| connect: spawn → first caller answered locally (s) | | | ${(kubebridge.connectMs / 1000).toFixed(2)} (ready line at ${(kubebridge.readyMs / 1000).toFixed(2)}) | | | < 3 s | ${kubebridge.connectMs < 3000 ? 'yes' : 'no'} |`,
		`| disconnect: SIGINT → workload restored, process exited (s) | | | ${(kubebridge.disconnectMs / 1000).toFixed(1)} | | | | |`,
		`| forwarder / sidecar resident memory over all rounds, start → max → end (MB) | ${rssText(kubectl.rss)} | ${rssText(ws.rss)} | ${rssText(kubebridge.rss)} | | | | |`,
	];
	if (kubebridge.big) {
		const growth = kubebridge.rssBig.max - kubebridge.rssBig.start;
		rows.push(`| one connection, ${plan.big / MiB} MiB echoed: MB/s; sidecar memory start → max → end (MB) | | | ${mb(kubebridge.big.mbps)}; ${rssText(kubebridge.rssBig)} | | | flat (max − start ≤ 32 MB) | ${growth <= 32 ? 'yes' : 'no'} (+${growth.toFixed(0)} MB) |`);
	}
	rows.push(...outboundRows({ kubectl, ws, outbound }, plan));
	rows.push(...transportRows({ kubectl, ws, spdy }, plan));
	const title = latencyMs === 0 ? 'Straight to the API server' : `${latencyMs} ms round trip added between the client and the API server (Toxiproxy, ${latencyMs / 2} ms each way)`;
	return [
		`### ${title}`, '', `Load average (1 min) ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after.`, '', ...rows, '',
		'CPU seconds per GB echoed over one connection, by process (the seven largest; other work on the machine included):', '',
		`- kubectl port-forward: ${cpuText(kubectl.cpuPerGB)}`,
		`- WebSocket forward per connection: ${cpuText(ws.cpuPerGB)}`,
		`- kubebridge: ${cpuText(kubebridge.cpuPerGB)}`,
		...(spdy ? [`- SPDY session: ${cpuText(spdy.cpuPerGB)}`] : []),
	].join('\n');
}

export function renderTable({ facts, plan, conditions, durationS }) {
	return [
		`Run on ${facts.date}: ${facts.cores} cores (${facts.cpu}), ${facts.memoryGiB} GiB, Linux ${facts.kernel}; kubebridge ${facts.kubebridge},`,
		`Node ${facts.node}, Kubernetes ${facts.kubernetes} (kubectl ${facts.kubectl}), Toxiproxy ${facts.toxiproxy}. The whole run took ${durationS.toFixed(0)} s.`,
		'',
		...conditions.map((condition) => conditionTable(condition, plan)).join('\n\n').split('\n'),
	].join('\n');
}

/** The newest run between the markers of docs/performance.md, the one it replaces kept below it. */
export function writeReport(results) {
	return writeSection('tunnel', renderTable(results));
}
