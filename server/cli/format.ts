import type { ContextsResult, EnvironmentResult, NamespacesResult, RestoreResult, ServiceInfo, ServicesResult, TargetFiles } from '../../protocol/index.js';

/** Left-aligned columns separated by two spaces, as kubectl prints them. */
export function table(header: string[], rows: string[][]): string {
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
	const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
	return [line(header), ...rows.map(line)].join('\n');
}

function ports(service: ServiceInfo): string {
	if (service.ports.length === 0) return '-';
	return service.ports.map((p) => `${p.port}${p.protocol === 'TCP' ? '' : `/${p.protocol}`}→${p.targetPort}${p.container ? `@${p.container}` : ''}`).join(',');
}

export function formatServices(result: ServicesResult): string {
	if (result.services.length === 0) return `No services in namespace ${result.namespace}.`;
	return table(['NAME', 'TYPE', 'PORTS', 'PODS', 'WORKLOAD', 'CONNECTABLE'], result.services.map((s) => [
		s.name,
		s.headless ? 'Headless' : s.type,
		ports(s),
		s.pods.length === 0 ? '-' : `${s.pods.filter((p) => p.ready).length}/${s.pods.length}`,
		s.workloads.map((w) => `${w.kind}/${w.name}`).join(',') || '-',
		s.connectable ? 'yes' : `no (${s.notConnectableReason})`,
	]));
}

export function formatContexts(result: ContextsResult): string {
	return table(['CURRENT', 'NAME', 'CLUSTER', 'SERVER', 'NAMESPACE'], result.contexts.map((c) => [
		c.current ? '*' : '', c.name, c.cluster, c.server ?? '-', c.namespace ?? '-',
	]));
}

export function formatNamespaces(result: NamespacesResult): string {
	return table(['CURRENT', 'NAME', 'PHASE'], result.namespaces.map((n) => [n.name === result.current ? '*' : '', n.name, n.phase]));
}

/** What `kubebridge restore` put back and removed, in the cluster and on this machine. */
export function formatRestore(result: RestoreResult): string {
	const list = (items: string[]) => items.join(', ') || 'nothing';
	return `Restored: ${list(result.restored)}\nRemoved: ${list(result.removed)}\nCleaned on this machine: ${list(result.cleaned)}`;
}

export function formatEnvironment(result: EnvironmentResult): string {
	const origin = (v: EnvironmentResult['vars'][number]) => v.ref ? `${v.source} ${v.ref.kind}/${v.ref.name}:${v.ref.key}` : v.field ? `${v.source} ${v.field}` : v.service ? `service ${v.service}` : v.source;
	const rows = table(['NAME', 'FROM', 'VALUE'], result.vars.map((v) => [v.name, origin(v), JSON.stringify(v.value)]));
	const notes = result.notes.map((n) => `note: ${n}`);
	return [`Container ${result.container} of pod ${result.pod} in ${result.namespace}:`, rows, ...notes].join('\n');
}

/** The table mount path → local path of a target's mounted files. */
export function formatMountedFiles(target: string, files: TargetFiles): string[] {
	const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
	return [
		`  Mounted files of ${target} (${files.envVar}=${files.root}):`,
		...files.mounts.map((m) => {
			const notes = [m.kind, m.error ?? plural(m.fileCount, 'file'), ...(m.skippedCount ? [`${m.skippedCount} not copied (${[...new Set(m.skipped.map((s) => s.reason))].join(', ')})`] : [])];
			return `    ${m.mountPath} → ${m.localPath} (${notes.join(', ')})`;
		}),
		...(files.refreshError ? [`    Not all copied: ${files.refreshError}.`] : []),
	];
}
