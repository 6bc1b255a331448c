/** Resolves once `predicate()` holds, checking every 20 ms; rejects after `ms`. */
export function waitUntil(predicate, ms = 5000) {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const tick = () => {
			if (predicate()) return resolve();
			if (Date.now() - started > ms) return reject(new Error('timed out'));
			setTimeout(tick, 20);
		};
		tick();
	});
}
