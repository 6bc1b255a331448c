import type { AgentStatus, DiagnosticsResult } from '../../protocol/index.js';
import { table } from './format.js';

const section = (title: string, body: string) => `${title}\n${body.replace(/^/gm, '  ')}`;

/** An agent's UDP flows in one cell: flows open/all, datagrams each way, and what was dropped on either side. */
function udpOf(udp: AgentStatus['udp']): string {
	if (!udp) return '-';
	const dropped = udp.droppedOversize + udp.droppedBacklog + (udp.agent ? udp.agent.droppedOversize + udp.agent.droppedBacklog : 0);
	return `${udp.activeFlows}/${udp.flows} flows, ${udp.toLocal} in, ${udp.fromLocal} out, ${dropped} dropped`;
}

/** The diagnostics as a person reads them: one section per part, empty parts said so. */
export function formatDiagnostics(d: DiagnosticsResult): string {
	const v = d.versions;
	const parts = [
		section('Versions', `kubebridge ${v.kubebridge}, Node ${v.node}, ${v.platform}/${v.arch}, agent image ${v.agentImage}${v.agentScript ? ` running the script of ConfigMap ${v.agentScript}` : ' (its own script)'}`),
		section('Cluster', d.cluster ? `context ${d.cluster.context}, server ${d.cluster.server ?? '-'}, namespace ${d.cluster.namespace}` : 'not reachable (see problems)'),
		section('Logs', [`folder ${d.logs.folder}`, `this run ${d.logs.file ?? '-'}`, ...d.logs.agentLogs.map((f) => `cluster side ${f}`)].join('\n')),
		section('Session', d.session.sessionId
			? table(['AGENT POD', 'NAMESPACE', 'STATE', 'IDLE TUNNELS', 'ACTIVE', 'TOTAL', 'UDP'],
				d.session.agents.map((a) => [a.pod, a.namespace, a.state, `${a.idleTunnels}`, `${a.activeConnections}`, `${a.totalConnections}`, udpOf(a.udp)]))
			: 'none in this process (a session lives in the process that connected it: the editor\'s sidecar or `kubebridge connect`)'),
	];
	if (d.session.targets.length > 0) {
		parts.push(section('Targets', table(['TARGET', 'NAMESPACE', 'MODE', 'ROUTE', 'ROUTER'], d.session.targets.map((t) => [
			t.target, t.namespace, t.mode, t.route ? `${t.route.header}: ${t.route.value}` : t.router ? 'every request' : 'all traffic (taken over)', t.router ?? '-',
		]))));
	}
	if (d.session.outbound) {
		parts.push(section(`Outbound (${d.session.outbound.mode})`, table(['SERVICE', 'ADDRESS', 'PORTS', 'CONNECTIONS', 'OUT', 'IN'],
			d.session.outbound.services.map((s) => [
				`${s.pod ? `${s.pod}.` : ''}${s.service}.${s.namespace}`, s.address,
				s.ports.map((p) => `${p.port}${p.protocol === 'UDP' ? '/udp' : ''}→${p.localPort}`).join(','),
				s.ports.map((p) => `${p.activeConnections}/${p.connections}`).join(','),
				`${s.ports.reduce((n, p) => n + p.bytesOut, 0)}`, `${s.ports.reduce((n, p) => n + p.bytesIn, 0)}`,
			]))));
	}
	for (const env of d.environment) {
		parts.push(section(`Environment of ${env.target}`, table(['NAME', 'VALUE'], env.vars.map((e) => [e.name, e.value]))));
	}
	parts.push(section(`Hosts file ${d.hosts.path}`, d.hosts.blocks.length === 0 ? 'no kubebridge names'
		: d.hosts.blocks.map((b) => `session ${b.sessionId} (pid ${b.pid}, ${b.alive ? 'running' : 'gone: removed at the next connect'}): `
			+ `${b.entries.reduce((n, e) => n + e.names.length, 0)} names on ${b.entries.length} addresses`).join('\n')));
	parts.push(section('Sessions in the cluster', d.clusterSessions.length === 0 ? 'none'
		: d.clusterSessions.map((s) => `${s.namespace}: session ${s.sessionId} held by ${s.holder}, renewed ${s.renewed ?? '-'}; `
			+ (s.pods.map((p) => `${p.role} ${p.name} ${p.phase}${p.ready ? ' ready' : ''}`).join(', ') || 'no pods')).join('\n')));
	if (d.problems.length > 0) parts.push(section('Problems', d.problems.join('\n')));
	if (d.bundle) parts.push(`Bundle written to ${d.bundle} (secret values redacted).`);
	return parts.join('\n\n');
}
