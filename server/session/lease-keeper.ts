import { LEASE_RENEW_MS, leaseName } from '../../agent/src/contract/contract.js';
import type { KubeObject, ObjectStore } from '../cluster/object-store.js';
import { replaceFresh } from '../cluster/replace-fresh.js';
import { KubebridgeError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { leaseManifest, microTime } from './restorer-manifests.js';

class LeaseGone extends Error {}

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
		await Promise.all([...this.leases].map(async ([namespace, held]) => {
			try {
				this.leases.set(namespace, await this.renew(namespace, held));
			} catch (error) {
				if (error instanceof LeaseGone) this.logger.error('session', `the lease in ${namespace} is gone: its restorer may have restored the workloads`);
				else this.logger.warning('session', `lease renewal in ${namespace} failed; retrying`, { error: (error as Error).message });
			}
		}));
	}

	/**
	 * One write from the lease as the last write left it: no one else writes it, so a read
	 * first would only double the calls. A conflict (or a gone lease) reads it afresh.
	 */
	private async renew(namespace: string, held: KubeObject): Promise<KubeObject> {
		const renewed = (lease: KubeObject): KubeObject => ({ ...lease, spec: { ...lease.spec, renewTime: microTime(new Date()) } });
		try {
			return await this.objects.replace(renewed(held));
		} catch (error) {
			if (!(error instanceof KubebridgeError && (error.data.status === 409 || error.data.status === 404))) throw error;
		}
		// One read and write, no retry: the next tick is the retry.
		const fresh = await replaceFresh(this.objects, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace, name: leaseName(this.session) }, renewed, 0);
		if (!fresh) throw new LeaseGone();
		return fresh;
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
