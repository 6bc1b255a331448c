import { readRouting } from '../../../agent/src/contract/routing-record.js';
import type { ObjectStore } from '../../cluster/object-store.js';
import type { Logger } from '../../log/logger.js';
import { removeRoute } from './route-registry.js';

/**
 * Takes the routes of sessions whose process is gone out of every shared Service of the
 * namespace (the last one out writes the selector back), as their restorers would.
 * Returns the Services written back and the sessions whose routes went.
 */
export async function removeDeadRoutes(objects: ObjectStore, namespace: string, gone: (session: string) => Promise<boolean>,
	logger: Logger): Promise<{ restored: string[]; sessions: string[] }> {
	const restored: string[] = [];
	const sessions = new Set<string>();
	for (const service of await objects.list('v1', 'Service', namespace)) {
		for (const route of readRouting(service)?.routes ?? []) {
			if (!(await gone(route.session))) {
				logger.info('session', `the route of live session ${route.session} on service ${service.metadata.name} is left alone`);
				continue;
			}
			const { last } = await removeRoute(objects, namespace, service.metadata.name, route.session);
			sessions.add(route.session);
			if (last) restored.push(`Service/${namespace}/${service.metadata.name}`);
		}
	}
	return { restored, sessions: [...sessions] };
}
