import type { ObjectStore } from './object-store.js';

/** A kind of object in a namespace (those `labelSelector` selects, when given) whose changes wake a wait. */
export interface WatchedKind { apiVersion: string; kind: string; namespace: string; labelSelector?: string }

/** A watch the API server ended is opened again after this, unless it refused it. */
const REOPEN_MS = 1000;

/**
 * Wakes a wait that reads the cluster again on each change: a watch tells at once what a
 * poll would see up to a period later. Only the wake-up comes from the watch; what the
 * wait decides on is always read fresh, so a dropped or refused watch (no `watch` verb)
 * leaves a wait that is merely slower, waking at its own period.
 */
export class ChangeSignal {
	private readonly stops = new Map<WatchedKind, () => void>();
	private waiters: (() => void)[] = [];
	/** A change came since the last `next()`: the next one returns at once. */
	private changed = false;
	private closed = false;

	constructor(private readonly objects: ObjectStore, private readonly kinds: WatchedKind[]) {
		for (const kind of kinds) this.open(kind);
	}

	/** Whether every kind is watched now: a wait may then trust a change to wake it, and look again only rarely. */
	get watching(): boolean {
		return !this.closed && this.kinds.every((kind) => this.stops.has(kind));
	}

	private open(kind: WatchedKind): void {
		if (this.closed || !this.objects.watch) return;
		this.stops.set(kind, this.objects.watch(kind.apiVersion, kind.kind, kind.namespace, () => this.poke(), (status) => {
			this.stops.delete(kind);
			if (status === null) setTimeout(() => this.open(kind), REOPEN_MS).unref();
			// A wait that trusted this watch must look at its own period again.
			else this.poke();
		}, kind.labelSelector));
	}

	/** Something the wait looks at changed (also what no watch sees, such as a tunnel that now serves). */
	poke(): void {
		this.changed = true;
		const waiters = this.waiters;
		this.waiters = [];
		waiters.forEach((wake) => wake());
	}

	/** Resolves at the next change, or after `ms` when none comes. */
	next(ms: number): Promise<void> {
		if (this.changed || this.closed) {
			this.changed = false;
			return Promise.resolve();
		}
		return new Promise<void>((resolve) => {
			const done = (): void => {
				clearTimeout(timer);
				this.waiters = this.waiters.filter((w) => w !== done);
				resolve();
			};
			const timer = setTimeout(done, ms);
			this.waiters.push(done);
		}).then(() => { this.changed = false; });
	}

	close(): void {
		this.closed = true;
		for (const stop of this.stops.values()) stop();
		this.stops.clear();
		this.poke();
	}
}
