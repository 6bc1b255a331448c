import { readRouting } from '../../agent/src/contract/routing-record.js';
import type { NamespaceSnapshot } from './cluster-access.js';

/**
 * The snapshot as kubebridge reads a namespace: a Service shared by header routing selects
 * the router while it lasts, but the workload behind it is still the one its saved
 * selector names, for listing, planning and the environment alike.
 */
export function withOriginalSelectors(snapshot: NamespaceSnapshot): NamespaceSnapshot {
	return {
		...snapshot,
		services: snapshot.services.map((service) => {
			const record = readRouting(service as never);
			return record ? { ...service, spec: { ...service.spec, selector: record.selector } } : service;
		}),
	};
}
