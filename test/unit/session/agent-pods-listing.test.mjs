// When the sidecar lists the session's agent pods while connected: on each change a watch
// of those pods tells of (never more than once a second), and, where the API server
// refuses the watch, every second. The listing and the watch are stand-ins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentPods } from '../../../out/server/session/agent-pods.js';
import { Logger } from '../../../out/server/log/logger.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const plan = { label: 'service/api', namespace: 'ns', container: 'api', ports: new Map() };
const logs = { follow: () => undefined, letGo: () => undefined };

/** Pod listings counted; `refuse` makes the watch end as a 403 would. */
function standIn({ refuse = false } = {}) {
	const seen = { listings: 0, selectors: [], change: null };
	const objects = {
		list: async () => { seen.listings++; return []; },
		watch(apiVersion, kind, namespace, onChange, onEnd, labelSelector) {
			seen.selectors.push(`${kind}/${namespace}/${labelSelector}`);
			seen.change = onChange;
			if (refuse) setTimeout(() => onEnd(403), 10);
			return () => undefined;
		},
	};
	return { seen, pods: new AgentPods({ endpoint: null, objects }, 's1', 'token', [plan], () => undefined, new Logger(null), logs, null) };
}

test('with the watch, the pods are listed on a change and not in between, at most once a second', async (t) => {
	const { seen, pods } = standIn();
	t.after(() => pods.stop());
	await pods.start();
	assert.deepEqual(seen.selectors, ['Pod/ns/kubebridge.io/session=s1'], 'only the session\'s pods are watched');
	await sleep(2500);
	assert.equal(seen.listings, 1, 'nothing changed, nothing listed after the first');
	for (let i = 0; i < 5; i++) seen.change();
	await sleep(1300);
	assert.equal(seen.listings, 2, 'five changes together are one listing');
	seen.change();
	await sleep(1300);
	assert.equal(seen.listings, 3);
});

test('where the watch is refused, the pods are listed every second', async (t) => {
	const { seen, pods } = standIn({ refuse: true });
	t.after(() => pods.stop());
	await pods.start();
	await sleep(3300);
	assert.ok(seen.listings >= 3 && seen.listings <= 5, `${seen.listings} listings in 3.3 s`);
});
