// How long a route probe may take: learned from the hits, grown (in whole milliseconds,
// as timers need) while every probe misses, and never past its bound.
import assert from 'node:assert/strict';
import test from 'node:test';
import { Logger } from '../../../out/server/log/logger.js';
import { MAX_PATIENCE_MS, probeUntilInARow } from '../../../out/server/session/proxy-routes.js';

const uncancelled = { isCancellationRequested: false };

test('while every probe misses, the patience grows in whole milliseconds up to its bound', async () => {
	const seen = [];
	let round = 0;
	const run = {
		host: '10.96.0.1', ports: [80], needed: 4,
		probe: async (_host, _port, patienceMs) => {
			seen.push(patienceMs);
			// Six rounds of misses (stale rules), then hits that take 20 ms.
			if (round < 6 * 4) {
				round++;
				return { hit: false, why: 'no connection' };
			}
			return { hit: true, why: '', ms: 20 };
		},
	};
	const tally = await probeUntilInARow(run, Date.now() + 60_000, uncancelled, new Logger(null));
	assert.equal(tally.confirmed, true);
	assert.ok(seen.every(Number.isInteger), `integers: ${[...new Set(seen)].join(', ')}`);
	const rounds = [...new Set(seen)];
	assert.ok(rounds.every((ms, i) => i === 0 || ms >= rounds[i - 1]), `grows while missing: ${rounds.join(', ')}`);
	assert.ok(seen.every((ms) => ms <= MAX_PATIENCE_MS));
	assert.equal(Math.max(...seen), MAX_PATIENCE_MS, 'reaches its bound after enough misses');
});
