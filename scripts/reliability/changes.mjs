// The `session/didChangeState` notifications a sidecar sent, each with the time it arrived,
// so a scenario can say which ones its fault caused.
export function recordChanges(sidecar, everyMs = 50) {
	const seen = [];
	const take = () => {
		for (const message of sidecar.client.reader.pending) {
			if (message.method !== 'session/didChangeState') continue;
			// `next` hands out a pending message at once, so it is taken exactly once.
			void sidecar.client.reader.next((m) => m === message, 0);
			seen.push({ at: Date.now(), change: message.params.change, pod: message.params.pod, message: message.params.message });
		}
	};
	const timer = setInterval(take, everyMs);
	return {
		/** The notifications that arrived at or after `from` (ms since the epoch). */
		since(from) {
			take();
			return seen.filter((c) => c.at >= from);
		},
		stop() { clearInterval(timer); take(); return seen; },
	};
}

/** `agentReconnecting ×2, agentServing` — a short summary of notifications in order. */
export function summarize(changes) {
	const out = [];
	for (const { change } of changes) {
		const last = out.at(-1);
		if (last && last.change === change) last.count++;
		else out.push({ change, count: 1 });
	}
	return out.map(({ change, count }) => (count > 1 ? `${change} ×${count}` : change)).join(', ') || 'none';
}
