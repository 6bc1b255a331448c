import { setTimeout as sleep } from 'node:timers/promises';

/** How often to look and for how long at most: every wait that polls names its bound. */
export interface PollBound {
	readonly everyMs: number;
	readonly withinMs: number;
}

/**
 * Looks at once, then every `everyMs`, until `done` says so: true when it did, false when
 * `withinMs` ran out first. A throw from `done` (a cancel, a gone workload) ends the wait.
 */
export async function pollUntil(done: () => boolean | Promise<boolean>, { everyMs, withinMs }: PollBound): Promise<boolean> {
	const deadline = Date.now() + withinMs;
	for (;;) {
		if (await done()) return true;
		if (Date.now() >= deadline) return false;
		await sleep(everyMs);
	}
}
