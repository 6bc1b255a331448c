export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` (which may return a promise) until it returns a truthy value; throws with `what` after `ms`. */
export async function waitFor(what, probe, { ms = 60_000, every = 250 } = {}) {
	const deadline = Date.now() + ms;
	let last;
	for (;;) {
		try {
			const value = await probe();
			if (value) return value;
		} catch (error) {
			last = error;
		}
		if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms${last ? ` (last error: ${last.message})` : ''}`);
		await sleep(every);
	}
}

/** For a local condition in a unit test: checked every 20 ms, for up to `ms`. */
export const waitUntil = (predicate, ms = 5000) => waitFor('the condition', predicate, { ms, every: 20 });
