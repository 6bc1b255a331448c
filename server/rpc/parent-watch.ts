import { isProcessAlive } from '../platform/process-liveness.js';

const PARENT_POLL_MS = 2000;

/** Watches the processes whose end ends the server (`--clientProcessId`, `initialize`'s processId). */
export class ParentWatch {
	readonly #timers: NodeJS.Timeout[] = [];

	constructor(private readonly gone: (why: string) => void) {}

	watch(pid: number): void {
		const timer = setInterval(() => {
			if (!isProcessAlive(pid)) this.gone(`client process ${pid} is gone`);
		}, PARENT_POLL_MS);
		timer.unref();
		this.#timers.push(timer);
	}

	stop(): void {
		this.#timers.forEach(clearInterval);
	}
}
