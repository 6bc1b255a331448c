import { leaseLapsed } from './contract/takeover-record.js';

interface Lease { spec?: { renewTime?: string; leaseDurationSeconds?: number } }

/**
 * Decides when the restorer may take a lease as lapsed. Its renewTime alone is not
 * enough: after the API server was down longer than the lease, the renewTime is old
 * although the sidecar is alive and about to renew. So the lease must also have been seen
 * unchanged for its whole duration on this pod's own clock, counted from the first read
 * after the last failed one, as leader election counts from the time it observed a record.
 */
export class LeaseWatch {
	private seen: { renewTime: string | undefined; since: number } | null = null;

	/** A successful read: whether the lease has lapsed. */
	observe(lease: Lease, now: number): boolean {
		const renewTime = lease.spec?.renewTime;
		if (!this.seen || this.seen.renewTime !== renewTime) this.seen = { renewTime, since: now };
		const durationMs = (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
		return leaseLapsed(lease, now) && now - this.seen.since >= durationMs;
	}

	/** A read that failed (API server down or answering with an error): observation starts over. */
	unreadable(): void {
		this.seen = null;
	}
}
