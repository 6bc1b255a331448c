import type { ConfigTarget, ConnectTarget } from '../../protocol/index.js';

const sameObject = (a: ConnectTarget | ConfigTarget, b: ConfigTarget): boolean =>
	(a.service !== undefined && a.service === b.service)
	|| (a.workload !== undefined && a.workload.kind === b.workload?.kind && a.workload.name === b.workload.name);

/** The configured target a requested one names, when the namespaces do not say otherwise. */
const configuredFor = (target: ConnectTarget, configured: readonly ConfigTarget[]): ConfigTarget | undefined =>
	configured.find((c) => sameObject(target, c) && (!target.namespace || !c.namespace || target.namespace === c.namespace));

/**
 * The targets a session connects: those the client named, each completed by the workspace
 * file's entry for the same service or workload (its namespace, container and ports, when
 * the client left them out: what the client says wins); the file's own targets when the
 * client named none.
 */
export function targetsWithConfig(requested: readonly ConnectTarget[], configured: readonly ConfigTarget[] = []): ConnectTarget[] {
	if (requested.length === 0) return configured.map((c) => ({ ...c }));
	return requested.map((target) => {
		const entry = configuredFor(target, configured);
		if (!entry) return target;
		const portsGiven = target.localPort !== undefined || target.ports !== undefined;
		return {
			...target,
			...(!target.namespace && entry.namespace ? { namespace: entry.namespace } : {}),
			...(!target.container && entry.container ? { container: entry.container } : {}),
			...(!portsGiven && entry.ports ? { ports: entry.ports } : {}),
			...(!target.route && entry.route ? { route: entry.route } : {}),
			...(!target.mode && entry.mode ? { mode: entry.mode } : {}),
		};
	});
}
