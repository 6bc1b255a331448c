import { setTimeout as sleep } from 'node:timers/promises';
import { leaseName, LABELS } from './contract/contract.js';
import { InClusterApi } from './in-cluster-api.js';
import { log } from './log.js';
import { LeaseWatch } from './lease-watch.js';
import { RESTORE_ROUTES_ENV, withoutRoutes } from './contract/routing-record.js';
import { apiPath, restoredObject, type TargetRef } from './contract/takeover-record.js';

const POLL_MS = 1000;

async function restoreTarget(api: InClusterApi, ref: TargetRef, session: string): Promise<void> {
	const path = apiPath(ref);
	const current = await api.call('GET', path);
	if (current.status === 404) return;
	if (current.status !== 200) throw new Error(`GET ${path}: ${current.status}`);
	const restored = restoredObject(ref.kind, current.body, session);
	if (!restored) return;
	if (ref.kind === 'Pod') {
		await api.call('DELETE', `${path}?gracePeriodSeconds=0`);
		for (let i = 0; i < 60 && (await api.call('GET', path)).status !== 404; i++) await sleep(500);
		const created = await api.call('POST', path.slice(0, path.lastIndexOf('/')), restored);
		if (created.status >= 300) throw new Error(`create pod ${ref.name}: ${created.status}`);
	} else {
		const written = await api.call('PUT', path, restored);
		if (written.status >= 300) throw new Error(`restore ${ref.kind} ${ref.name}: ${written.status} ${JSON.stringify(written.body).slice(0, 300)}`);
		// A ReplicaSet does not replace its pods when its template changes; the agents go so originals come back.
		if (ref.kind !== 'Deployment') {
			await api.call('DELETE', `/api/v1/namespaces/${ref.namespace}/pods?labelSelector=${encodeURIComponent(`${LABELS.session}=${session}`)}`);
		}
	}
	log('restored', { kind: ref.kind, name: ref.name });
}

/** Takes the session's route away from a shared Service; after the last, the Service has its selector back. */
async function removeRoutes(api: InClusterApi, namespace: string, service: string, session: string): Promise<void> {
	const path = `/api/v1/namespaces/${namespace}/services/${service}`;
	for (let attempt = 0; attempt < 10; attempt++) {
		const current = await api.call('GET', path);
		if (current.status === 404) return;
		if (current.status !== 200) throw new Error(`GET ${path}: ${current.status}`);
		const next = withoutRoutes(current.body, session);
		if (!next) return;
		const written = await api.call('PUT', path, next.service);
		if (written.status === 409) continue;
		if (written.status >= 300) throw new Error(`update service ${service}: ${written.status} ${JSON.stringify(written.body).slice(0, 300)}`);
		log('route removed', { service, last: next.last });
		return;
	}
	throw new Error(`service ${service} kept changing`);
}

/**
 * The restorer: a pod of its own, with a narrow role, that watches the session's lease.
 * When the sidecar stops renewing it (killed, laptop gone), it puts every workload back
 * and deletes the lease; everything else of the session is owned by the lease and goes
 * with it.
 */
export async function runRestorer(): Promise<void> {
	const session = process.env.KUBEBRIDGE_SESSION ?? '';
	const targets = JSON.parse(process.env.KUBEBRIDGE_RESTORE_TARGETS ?? '[]') as TargetRef[];
	const routed = JSON.parse(process.env[RESTORE_ROUTES_ENV] ?? '[]') as string[];
	const api = new InClusterApi();
	const leasePath = `/apis/coordination.k8s.io/v1/namespaces/${api.namespace}/leases/${leaseName(session)}`;
	log('restorer watching', { session, targets: targets.map((t) => `${t.kind}/${t.namespace}/${t.name}`) });
	const watch = new LeaseWatch();
	for (;; await sleep(POLL_MS)) {
		let lease: Awaited<ReturnType<InClusterApi['call']>>;
		try {
			lease = await api.call('GET', leasePath);
		} catch (error) {
			watch.unreadable();
			log('reading the lease failed; retrying', { error: (error as Error).message });
			continue;
		}
		if (lease.status === 404) {
			log('lease gone: the session ended normally');
			return;
		}
		if (lease.status !== 200) {
			watch.unreadable();
			continue;
		}
		if (!watch.observe(lease.body, Date.now())) continue;
		try {
			log('lease lapsed: restoring', { renewTime: lease.body.spec?.renewTime });
			for (const service of routed) await removeRoutes(api, api.namespace, service, session);
			for (const ref of targets) await restoreTarget(api, ref, session);
			await api.call('DELETE', `${leasePath}?propagationPolicy=Background`);
			log('session cleaned up');
			return;
		} catch (error) {
			log('restorer step failed; retrying', { error: (error as Error).message });
		}
	}
}
