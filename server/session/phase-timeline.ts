import type { Logger } from '../log/logger.js';

/** The log area of the phase marks; `bench/connect.mjs` reads connect's and disconnect's breakdown from them. */
export const TIMELINE_AREA = 'timeline';

/**
 * Marks the phases of one connect or disconnect in the session's log, each with the
 * milliseconds since it began (`at`) and since the mark before (`ms`): where the time
 * goes, read from any user's log as from the benchmark's.
 */
export class PhaseTimeline {
	private readonly began = Date.now();
	private last = this.began;

	constructor(private readonly logger: Logger, private readonly operation: 'connect' | 'disconnect') {}

	mark(phase: string, fields: Record<string, unknown> = {}): void {
		const now = Date.now();
		this.logger.info(TIMELINE_AREA, `${this.operation}: ${phase}`, { operation: this.operation, phase, at: now - this.began, ms: now - this.last, ...fields });
		this.last = now;
	}
}
