// When the restorer may take a session's lease as lapsed: the renewTime is old AND the
// restorer itself saw it unchanged for the lease's duration since its last failed read, so
// an API server that was down longer than the lease does not make it restore a live session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeaseWatch } from '../../../out/agent/src/lease-watch.js';

const at = (iso) => Date.parse(iso);
const lease = (renewTime) => ({ spec: { renewTime, leaseDurationSeconds: 20 } });

test('a sidecar that stopped renewing: lapsed once the renewTime is older than the lease and was seen that long', () => {
	const watch = new LeaseWatch();
	const renewed = '2026-11-22T00:00:00.000Z';
	assert.equal(watch.observe(lease(renewed), at('2026-11-22T00:00:01Z')), false);
	assert.equal(watch.observe(lease(renewed), at('2026-11-22T00:00:20.5Z')), false, 'old enough, but seen for 19.5 s only');
	assert.equal(watch.observe(lease(renewed), at('2026-11-22T00:00:21Z')), true);
});

test('renewals keep it alive', () => {
	const watch = new LeaseWatch();
	for (let s = 0; s < 120; s += 3) {
		const renewed = new Date(at('2026-11-22T00:00:00Z') + s * 1000).toISOString();
		assert.equal(watch.observe(lease(renewed), at(renewed) + 2500), false);
	}
});

test('after the API server was down longer than the lease, the old renewTime is not a lapse until seen unchanged for the whole lease again', () => {
	const watch = new LeaseWatch();
	const renewed = '2026-11-22T00:00:00.000Z';
	assert.equal(watch.observe(lease(renewed), at('2026-11-22T00:00:01Z')), false);
	watch.unreadable();
	// Back after 40 s: the sidecar has not renewed yet (it retries every 3 s).
	assert.equal(watch.observe(lease(renewed), at('2026-11-22T00:00:41Z')), false);
	assert.equal(watch.observe(lease(renewed), at('2026-11-22T00:00:43Z')), false);
	// The sidecar renews: alive.
	assert.equal(watch.observe(lease('2026-11-22T00:00:43.500Z'), at('2026-11-22T00:00:44Z')), false);
	// Had it not renewed, the lapse would come a whole lease after the API server was back.
	const other = new LeaseWatch();
	other.unreadable();
	assert.equal(other.observe(lease(renewed), at('2026-11-22T00:00:41Z')), false);
	assert.equal(other.observe(lease(renewed), at('2026-11-22T00:01:00Z')), false);
	assert.equal(other.observe(lease(renewed), at('2026-11-22T00:01:01Z')), true);
});

test('a lease without a renewTime is lapsed after being seen so for its duration', () => {
	const watch = new LeaseWatch();
	assert.equal(watch.observe({ spec: { leaseDurationSeconds: 20 } }, 0), false);
	assert.equal(watch.observe({ spec: { leaseDurationSeconds: 20 } }, 20_000), true);
});
