import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzExecutable } from '../helpers/fuzz-driver.mjs';

// The fast subset of scripts/fuzz.mjs, on every run. A fixed seed keeps it deterministic;
// KUBEBRIDGE_FUZZ_SEED explores others.
const SEED = Number(process.env.KUBEBRIDGE_FUZZ_SEED ?? 20261122);
const MESSAGES = 5000;

test(`${MESSAGES} fuzzed messages to the executable: each request answered once, framing in sync, no crash, memory bounded`, { timeout: 600_000 }, async (t) => {
	t.diagnostic(`seed ${SEED}; replay with: node scripts/fuzz.mjs --messages ${MESSAGES} --seed ${SEED}`);
	const stats = await fuzzExecutable({ messages: MESSAGES, seed: SEED });
	t.diagnostic(`${stats.messages} messages, ${stats.requests} requests, ${stats.responses} responses, max RSS ${Math.round(stats.maxRssKiB / 1024)} MiB, ${stats.ms} ms`);
	assert.ok(stats.messages >= MESSAGES, `only ${stats.messages} messages were generated`);
	assert.equal(stats.crashes, 0);
	assert.equal(stats.starts, 1, 'one process served the whole run');
});
