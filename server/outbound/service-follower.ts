import type { Logger } from '../log/logger.js';
import type { OutboundTarget } from './outbound-targets.js';

/** How often the services are read while all is well. */
export const FOLLOW_EVERY_MS = 3000;
/** The longest wait between tries while reading or applying keeps failing. */
const MAX_BACKOFF_MS = 60_000;

/** What one pass changed, each as `service.namespace` (`pod.service.namespace` for a pod of a headless service). */
export interface OutboundChange {
	added: string[];
	removed: string[];
	/** Same service, other ports or another host for the agent to dial. */
	changed: string[];
}

const isEmptyChange = (change: OutboundChange): boolean =>
	change.added.length + change.removed.length + change.changed.length === 0;

/** Sentences for the user. */
export function describeOutboundChange({ added, removed, changed }: OutboundChange): string {
	return [
		added.length > 0 ? `Reachable from this machine now: ${added.join(', ')}.` : '',
		changed.length > 0 ? `Listening on their new ports: ${changed.join(', ')}.` : '',
		removed.length > 0 ? `Gone from the cluster, no longer listened for: ${removed.join(', ')}.` : '',
	].filter(Boolean).join(' ');
}

/**
 * Keeps outbound's set of services in step with the cluster while a session lasts: reads
 * what the namespaces hold every few seconds and hands it to `apply`. A failure (the API
 * server unreachable, a permission withdrawn, the hosts file refused) keeps the current set
 * and tries again later, waiting twice as long each time up to a minute.
 *
 * A periodic list rather than a watch, as for the agent pods: it needs no `watch`
 * permission (the Role of docs/rbac.md has none), and every pass sees the whole truth, so
 * there is nothing to resume after a dropped stream or a compacted resourceVersion, and no
 * missed event can leave a service unreachable. It costs one list of services per
 * namespace (and pods, when a headless service needs them) every few seconds.
 */
export class ServiceFollower {
	private timer: NodeJS.Timeout | null = null;
	private pass: Promise<void> | null = null;
	private failures = 0;
	private lastError = '';
	private stopped = false;

	constructor(
		private readonly read: () => Promise<OutboundTarget[]>,
		private readonly apply: (targets: OutboundTarget[]) => Promise<OutboundChange>,
		private readonly changed: (change: OutboundChange) => void,
		private readonly logger: Logger,
		private readonly everyMs = FOLLOW_EVERY_MS,
	) {}

	start(): void {
		this.schedule();
	}

	/** Resolves once a pass under way has ended, so nothing changes afterwards. */
	async stop(): Promise<void> {
		this.stopped = true;
		if (this.timer) clearTimeout(this.timer);
		await this.pass;
	}

	private schedule(): void {
		if (this.stopped) return;
		const delay = this.failures === 0 ? this.everyMs : Math.min(this.everyMs * 2 ** this.failures, MAX_BACKOFF_MS);
		this.timer = setTimeout(() => {
			this.pass = this.follow().finally(() => {
				this.pass = null;
				this.schedule();
			});
		}, delay);
		this.timer.unref();
	}

	private async follow(): Promise<void> {
		try {
			const targets = await this.read();
			if (this.stopped) return;
			const change = await this.apply(targets);
			if (this.failures > 0) this.logger.info('outbound', 'following the services again', { after: this.failures });
			this.failures = 0;
			this.lastError = '';
			if (!isEmptyChange(change)) this.changed(change);
		} catch (error) {
			this.failures++;
			const message = (error as Error).message;
			// Once per kind of failure: a refusal that lasts would otherwise fill the log every minute.
			const log = message === this.lastError ? this.logger.debug : this.logger.warning;
			log.call(this.logger, 'outbound', 'following the services failed; the set stays as it is and kubebridge tries again',
				{ error: message, failures: this.failures });
			this.lastError = message;
		}
	}
}
