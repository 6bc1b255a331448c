import { readRouting, sameClaim, withRoute, withoutRoutes, type RouteEntry } from '../../../agent/src/contract/routing-record.js';
import type { KubeObject, ObjectStore } from '../../cluster/object-store.js';
import { replaceFresh } from '../../cluster/replace-fresh.js';
import { routeTaken } from './routing-errors.js';

/** Sessions write the one Service at once: more rounds than a controller's conflicts need. */
const ATTEMPTS = 10;
const serviceRef = (namespace: string, name: string) => ({ apiVersion: 'v1', kind: 'Service', namespace, name });
const updateService = (objects: ObjectStore, namespace: string, name: string, change: (current: KubeObject) => KubeObject | null) =>
	replaceFresh(objects, serviceRef(namespace, name), change, ATTEMPTS);

/**
 * Adds the session's route to the Service; the first route also points the Service at
 * the router (the original selector saved beside the routes). A value another session
 * routes already is refused.
 */
export async function addRoute(objects: ObjectStore, namespace: string, service: string, entry: RouteEntry, router: string, label: string): Promise<void> {
	const written = await updateService(objects, namespace, service, (current) => {
		const clash = readRouting(current)?.routes.find((r) => r.session !== entry.session && sameClaim(r, entry));
		if (clash) throw routeTaken(label, entry.header ?? '', entry.value ?? '', clash.holder);
		return withRoute(current, entry, router, service) as KubeObject;
	});
	if (!written) throw new Error(`service ${namespace}/${service} is gone`);
}

/** Takes the session's route away; the last one writes the original selector back. */
export async function removeRoute(objects: ObjectStore, namespace: string, service: string, session: string): Promise<{ removed: boolean; last: boolean }> {
	let last = false;
	const written = await updateService(objects, namespace, service, (current) => {
		const next = withoutRoutes(current, session);
		last = next?.last ?? false;
		return next ? next.service as KubeObject : null;
	});
	return { removed: written !== null, last: written !== null && last };
}
