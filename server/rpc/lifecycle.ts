import type { ClientCapabilities, TraceValue } from '../../protocol/index.js';
import { serverNotInitialized, shutdownRequested } from './errors.js';

type State = 'uninitialized' | 'running' | 'shutdown';

/**
 * Where the connection stands in the LSP lifecycle (before `initialize`, running, after
 * `shutdown`), what `initialize` settled, and the one way out: whatever ends the server
 * first (`exit`, the input closing, the parent gone, a signal) gives the exit code.
 */
export class Lifecycle {
	state: State = 'uninitialized';
	trace: TraceValue = 'off';
	capabilities: ClientCapabilities = {};
	readonly exited: Promise<number>;
	#settle: (code: number) => void = () => undefined;
	#finished = false;

	/** `end` puts the cluster back and lets go of the log before `exited` settles. */
	constructor(private readonly end: (code: number, why: string) => Promise<void>) {
		this.exited = new Promise<number>((resolve) => { this.#settle = resolve; });
	}

	/** The spec's exit code: 0 only after `shutdown`. */
	get exitCode(): number {
		return this.state === 'shutdown' ? 0 : 1;
	}

	finish(code: number, why: string): void {
		// `exit` is usually followed by the input closing; the first reason is the one.
		if (this.#finished) return;
		this.#finished = true;
		void this.end(code, why).finally(() => this.#settle(code));
	}

	/** Refuses a request the lifecycle does not allow now. */
	admit(method: string, beforeInitialize: boolean): void {
		if (this.state === 'uninitialized' && !beforeInitialize) throw serverNotInitialized(method);
		if (this.state === 'shutdown') throw shutdownRequested(method);
	}
}
