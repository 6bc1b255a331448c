/** Resolves once `predicate()` holds (it may return a promise), checking every 20 ms; rejects after `ms`. */
export async function waitUntil(predicate, ms = 5000) {
	const started = Date.now();
	for (;;) {
		if (await predicate()) return;
		if (Date.now() - started > ms) throw new Error('timed out');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}
