import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectDiagnostics } from '../../../out/server/diagnostics/collect.js';
import { formatDiagnostics } from '../../../out/server/cli/format-diagnostics.js';
import { withBlock } from '../../../out/server/hosts/hosts-block.js';
import { LABELS } from '../../../out/agent/src/contract/contract.js';

// A pid that cannot be running: above the kernel's pid_max ceiling.
const GONE_PID = 4194304 + 7;

function hostsFile(t) {
	const folder = mkdtempSync(join(tmpdir(), 'kb-diag-'));
	t.after(() => rmSync(folder, { recursive: true, force: true }));
	const path = join(folder, 'hosts');
	const live = withBlock('127.0.0.1 localhost\n', { sessionId: 'live', pid: process.pid }, [{ address: '127.1.4.17', names: ['orders', 'orders.shop'] }], '\n');
	writeFileSync(path, withBlock(live, { sessionId: 'left', pid: GONE_PID }, [{ address: '127.1.4.18', names: ['db'] }], '\n'));
	return path;
}

/** A cluster whose object store holds one session's lease, its agent pod and its restorer. */
const cluster = {
	context: 'dev', server: 'https://127.0.0.1:6443', namespace: 'shop',
	objects: {
		list: async (apiVersion, kind, namespace) => {
			assert.equal(namespace, 'shop');
			if (kind === 'Lease') return [{ metadata: { name: 'kubebridge-s1', labels: { [LABELS.session]: 's1', [LABELS.role]: 'lease' } }, spec: { holderIdentity: 'me@laptop', renewTime: '2026-12-03T08:00:00Z' } }];
			assert.equal(kind, 'Pod');
			return [
				{ metadata: { name: 'orders-agent', labels: { [LABELS.session]: 's1' } }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
				{ metadata: { name: 'kubebridge-restorer-s1', labels: { [LABELS.session]: 's1', [LABELS.role]: 'restorer' } }, status: { phase: 'Pending' } },
				{ metadata: { name: 'other', labels: { [LABELS.session]: 's2' } }, status: { phase: 'Running' } },
			];
		},
	},
};

const session = (hostsPath) => ({
	sessionId: 's1',
	targets: [{ target: 'service/orders', workload: { kind: 'Deployment', name: 'orders' }, namespace: 'shop', container: 'app', mode: 'replace', route: null, router: null }],
	agents: [{ pod: 'orders-agent', namespace: 'shop', state: 'ready', idleTunnels: 2, activeConnections: 1, totalConnections: 5 }],
	outbound: { mode: 'hosts', hostsPath, services: [] },
});

const inputs = (hostsPath, overrides = {}) => ({
	session: session(hostsPath),
	logFile: '/tmp/kubebridge/logs/run.log',
	agentLogs: ['/tmp/kubebridge/logs/orders-agent.log'],
	agent: () => ({ image: 'node:24-slim', script: { configMap: 'kubebridge-agent-0123456789ab', sha256: '0'.repeat(64), text: '' } }),
	cluster: () => cluster,
	environment: async () => [
		{ name: 'MODE', value: 'prod', source: 'literal', secret: false },
		{ name: 'DB_PASSWORD', value: 'hunter2', source: 'secret', secret: true },
	],
	...overrides,
});

test('diagnostics/get collects the session, its env masked, the hosts blocks with their owners alive or gone, and the cluster sessions', async (t) => {
	const hostsPath = hostsFile(t);
	const result = await collectDiagnostics(inputs(hostsPath), {});
	assert.deepEqual(result.problems, []);
	assert.equal(result.versions.agentImage, 'node:24-slim');
	assert.equal(result.versions.agentScript, 'kubebridge-agent-0123456789ab');
	assert.deepEqual(result.cluster, { context: 'dev', server: 'https://127.0.0.1:6443', namespace: 'shop' });
	assert.deepEqual(result.logs.agentLogs, ['/tmp/kubebridge/logs/orders-agent.log']);
	assert.deepEqual(result.environment, [{ target: 'service/orders', vars: [
		{ name: 'MODE', value: 'prod', source: 'literal', secret: false },
		{ name: 'DB_PASSWORD', value: '****', source: 'secret', secret: true },
	] }]);
	assert.equal(result.hosts.path, hostsPath);
	assert.deepEqual(result.hosts.blocks.map((b) => [b.sessionId, b.alive, b.entries.length]), [['live', true, 1], ['left', false, 1]]);
	assert.deepEqual(result.clusterSessions, [{ namespace: 'shop', sessionId: 's1', holder: 'me@laptop', renewed: '2026-12-03T08:00:00Z', pods: [
		{ name: 'orders-agent', role: 'agent', phase: 'Running', ready: true },
		{ name: 'kubebridge-restorer-s1', role: 'restorer', phase: 'Pending', ready: false },
	] }]);
	assert.equal(result.bundle, null);
	const revealed = await collectDiagnostics(inputs(hostsPath), { reveal: true });
	assert.equal(revealed.environment[0].vars[1].value, 'hunter2', 'reveal shows secret values');
});

test('a part that fails is a problem of its own; the rest is still reported', async (t) => {
	const hostsPath = hostsFile(t);
	const result = await collectDiagnostics(inputs(hostsPath, {
		agent: () => { throw new Error('kubebridge.yaml: agent.baseImage is empty'); },
		cluster: () => { throw new Error('no kubeconfig'); },
		environment: async () => { throw new Error('pod gone'); },
	}), {});
	assert.deepEqual(result.problems, ['the cluster: no kubeconfig', 'the agent image: kubebridge.yaml: agent.baseImage is empty', 'the environment of service/orders: pod gone']);
	assert.equal(result.cluster, null);
	assert.deepEqual(result.clusterSessions, []);
	assert.equal(result.versions.agentImage, '');
	assert.deepEqual(result.environment, [{ target: 'service/orders', vars: [] }]);
	assert.equal(result.hosts.blocks.length, 2);
	const missing = await collectDiagnostics(inputs(join(hostsPath, '..', 'absent')), {});
	assert.match(missing.problems[0], /^the hosts file .*absent: /);
});

test('a bundle path that is not an absolute .tar.gz is refused before anything is collected', async () => {
	let asked = false;
	await assert.rejects(collectDiagnostics(inputs('/nonexistent', { cluster: () => { asked = true; return cluster; } }), { bundle: 'report.zip' }),
		(error) => error.data.reason === 'invalidParams' && error.data.path === '/bundle' && /absolute path ending in \.tar\.gz/.test(error.message));
	assert.equal(asked, false);
});

test('the formatted diagnostics show one section per part, secrets masked, gone owners and problems said so', async (t) => {
	const hostsPath = hostsFile(t);
	const text = formatDiagnostics(await collectDiagnostics(inputs(hostsPath, { environment: async () => { throw new Error('pod gone'); } }), {}));
	for (const title of ['Versions', 'Cluster', 'Logs', 'Session', 'Targets', 'Outbound (hosts)', 'Environment of service/orders', `Hosts file ${hostsPath}`, 'Sessions in the cluster', 'Problems']) {
		assert.match(text, new RegExp(`^${title.replace(/[()/.]/g, '\\$&')}$`, 'm'), `a ${title} section`);
	}
	assert.match(text, /agent image node:24-slim running the script of ConfigMap kubebridge-agent-0123456789ab/);
	assert.match(text, /orders-agent\s+shop\s+ready\s+2\s+1\s+5/);
	assert.match(text, /service\/orders\s+shop\s+replace\s+all traffic \(taken over\)\s+-/, 'each target with its mode and route');
	assert.match(text, /session live \(pid \d+, running\): 2 names on 1 addresses/);
	assert.match(text, /session left \(pid \d+, gone: removed at the next connect\): 1 names on 1 addresses/);
	assert.match(text, /shop: session s1 held by me@laptop, renewed 2026-12-03T08:00:00Z; agent orders-agent Running ready, restorer kubebridge-restorer-s1 Pending/);
	assert.match(text, /^ {2}the environment of service\/orders: pod gone$/m);
	const masked = formatDiagnostics(await collectDiagnostics(inputs(hostsPath), {}));
	assert.match(masked, /DB_PASSWORD\s+\*\*\*\*/);
	assert.doesNotMatch(masked, /hunter2/);
	const alone = formatDiagnostics(await collectDiagnostics(inputs(hostsPath, { session: { sessionId: null, targets: [], agents: [] } }), {}));
	assert.match(alone, /^Session\n {2}none in this process/m);
	assert.doesNotMatch(alone, /^Outbound/m);
});
