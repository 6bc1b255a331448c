import { clusterNames, type NamedTarget } from './host-names.js';
import type { HostsEntry } from './hosts-block.js';
import { assignLoopbackAddresses, targetKey } from './loopback-addresses.js';

/** What a session writes for its targets, and where each target listens. */
export interface HostsPlan {
	entries: HostsEntry[];
	/** The loopback address of each target, by `namespace/service[/pod]`. */
	addresses: Map<string, string>;
}

/**
 * The names and addresses of a session's targets (see loopback-addresses.ts for the
 * scheme); targets in `kept` keep the address they have.
 */
export function planHostsEntries(targets: NamedTarget[], homeNamespace: string, sessionIndex: number,
	kept: ReadonlyMap<string, string> = new Map(), clusterDomain = 'cluster.local'): HostsPlan {
	const addresses = assignLoopbackAddresses(sessionIndex, targets, kept);
	const entries = new Map<string, HostsEntry>();
	for (const target of targets) {
		const key = targetKey(target);
		if (!entries.has(key)) entries.set(key, { address: addresses.get(key)!, names: clusterNames(target, homeNamespace, clusterDomain) });
	}
	return { entries: [...entries.values()], addresses };
}
