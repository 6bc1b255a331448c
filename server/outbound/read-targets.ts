import type { V1Pod, V1Service } from '@kubernetes/client-node';
import type { ObjectStore } from '../cluster/object-store.js';
import { isHeadless, outboundTargets, type OutboundTarget } from './outbound-targets.js';

/**
 * What outbound reaches in `namespaces` now, read with as little as that takes: the
 * services, and their pods only when a headless service needs them (its pods' host names
 * and named ports). Connect reads it once, then the follower every few seconds.
 */
export async function readOutboundTargets(objects: ObjectStore, namespaces: string[]): Promise<OutboundTarget[]> {
	const each = await Promise.all(namespaces.map(async (namespace) => {
		const services = await objects.list('v1', 'Service', namespace) as unknown as V1Service[];
		const pods = services.some(isHeadless) ? await objects.list('v1', 'Pod', namespace) as unknown as V1Pod[] : [];
		return outboundTargets({ services, pods });
	}));
	return each.flat();
}
