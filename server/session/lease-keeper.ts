import { LEASE_RENEW_MS, leaseName } from '../../agent/src/contract/contract.js';
import type { KubeObject, ObjectStore } from '../cluster/object-store.js';
import type { Logger } from '../log/logger.js';
import { leaseManifest, microTime } from './restorer-manifests.js';

/**
 * Keeps the session's leases (one per namespace) renewed while this process lives. A
 * failed renewal is retried at the next tick: the lease's duration is the slack for a
 * short outage. When this process dies, renewals stop and the restorers take over.
 */
export class LeaseKeeper {
	private timer: NodeJS.Timeout | null = null;
	private readonly leases = new Map<string, KubeObject>();

	constructor(private readonly objects: ObjectStore, private readonly session: string, private readonly holder: string, private readonly logger: Logger) {}

	async create(namespace: string): Promise<KubeObject> {
		const lease = await this.objects.create(leaseManifest(this.session, namespace, this.holder, new Date()));
		this.leases.set(namespace, lease);
		return lease;
	}

	start(): void {
		this.timer = setInterval(() => void this.renewAll(), LEASE_RENEW_MS);
		this.timer.unref();
	}

	private async renewAll(): Promise<void> {
		await Promise.all([...this.leases.keys()].map(async (namespace) => {
			try {
				const current = await this.objects.read({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace, name: leaseName(this.session) });
				if (!current) {
					this.logger.error('session', `the lease in ${namespace} is gone: its restorer may have restored the workloads`);
					return;
				}
				current.spec.renewTime = microTime(new Date());
				this.leases.set(namespace, await this.objects.replace(current));
			} catch (error) {
				this.logger.warning('session', `lease renewal in ${namespace} failed; retrying`, { error: (error as Error).message });
			}
		}));
	}

	/** Ends the session in the cluster: the garbage collector takes the restorers with the leases. */
	async deleteAll(): Promise<string[]> {
		if (this.timer) clearInterval(this.timer);
		const removed: string[] = [];
		for (const namespace of this.leases.keys()) {
			await this.objects.delete({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace, name: leaseName(this.session) }, { propagationPolicy: 'Background' });
			removed.push(`Lease/${namespace}/${leaseName(this.session)}`);
		}
		this.leases.clear();
		return removed;
	}
}
