// What the benchmark must undo, undone in reverse order even after a failure, each step
// bounded in time so a stuck step cannot hold the rest back.
export class Cleanup {
	#steps = [];

	/** Registers an undo step; the returned function drops it once it is no longer needed. */
	add(label, undo) {
		const step = { label, undo };
		this.#steps.push(step);
		return () => { this.#steps = this.#steps.filter((s) => s !== step); };
	}

	async run(log, stepTimeoutMs = 180_000) {
		while (this.#steps.length > 0) {
			const { label, undo } = this.#steps.pop();
			log(`cleanup: ${label}`);
			let timer;
			try {
				await Promise.race([
					Promise.resolve().then(undo),
					new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('timed out')), stepTimeoutMs); }),
				]);
			} catch (error) {
				log(`cleanup: ${label} failed: ${error.message}`);
			} finally {
				clearTimeout(timer);
			}
		}
	}
}

/** Runs a measuring script's body; a failure sets the exit code, and what it set up is undone either way. */
export async function runScript(body, { cleanup, log, began }) {
	try {
		await body();
	} catch (error) {
		log(`failed: ${error.stack ?? error}`);
		process.exitCode = 1;
	} finally {
		await cleanup.run(log);
		log(`done in ${((Date.now() - began) / 1000).toFixed(0)} s`);
	}
}

/** What every measuring script starts with: its clock, its log on stderr, and its cleanup, run on Ctrl-C too. */
export function startBench() {
	const began = Date.now();
	const log = (text) => process.stderr.write(`[${((Date.now() - began) / 1000).toFixed(1).padStart(6)} s] ${text}\n`);
	const cleanup = new Cleanup();
	for (const signal of ['SIGINT', 'SIGTERM']) {
		process.once(signal, () => {
			log(`${signal}: cleaning up`);
			void cleanup.run(log).finally(() => process.exit(130));
		});
	}
	return { began, log, cleanup };
}
