import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cycles, describeCycle, importsUnder, roomEdges, roomOf } from '../../helpers/import-graph.mjs';

test('no two folders of server/ import each other, directly or round a loop', () => {
	const edges = roomEdges(importsUnder('server'));
	const found = cycles(edges);
	assert.deepEqual(found.map((group) => describeCycle(group, edges)), [], 'folders in a cycle');
});

test('protocol/ imports nothing of server/ and no Node module: declarations only', () => {
	const offending = importsUnder('protocol').filter(({ to }) => to.startsWith('server/') || to.startsWith('node:') || !/^(protocol\/|vscode-jsonrpc$|@sinclair\/typebox$)/.test(to));
	assert.deepEqual(offending, []);
});

/** What sits in server/ itself beyond the server object and the files every room shares, and what those shared files import from a room. */
const SERVER_OWN = ['server/errors.ts', 'server/kubebridge-server.ts', 'server/version.ts', 'server/work.ts'];
function outOfPlaceInServer(imports) {
	const own = [...new Set(imports.map(({ from }) => from).filter((from) => roomOf(from) === from.slice('server/'.length)))];
	return [
		...own.filter((file) => !SERVER_OWN.includes(file)).map((file) => `${file} belongs in a folder`),
		...imports.filter(({ from, to }) => from !== 'server/kubebridge-server.ts' && own.includes(from) && to.startsWith('server/') && !SERVER_OWN.includes(to))
			.map(({ from, to }) => `${from} → ${to}`),
	];
}

test('only the server object and what every room shares sit in server/ itself; the shared files lean on no room', () => {
	assert.deepEqual(outOfPlaceInServer(importsUnder('server')), []);
});

// The checker itself: each import that once closed an 11-folder loop, put back into today's
// graph (with the old file where it stood), must make a cycle, named by that import.
const OLD_IMPORTS = [
	['server/environment/container-sources.ts', 'server/session/target-plan.ts'],
	['server/environment/container-sources.ts', 'server/session/workload-pods.ts'],
	['server/environment/container-sources.ts', 'server/session/session-errors.ts'],
	['server/cluster/kube-api.ts', 'server/tunnel/api-endpoint.ts'],
	['server/cluster/cluster-access.ts', 'server/tunnel/port-forward.ts'],
	['server/session/session.ts', 'server/diagnostics/pod-logs.ts'],
	['server/secrets/secret-scrubber.ts', 'server/environment/masking.ts'],
	['server/files/mount-table.ts', 'server/session/agent-script.ts'],
];

for (const [from, to] of OLD_IMPORTS) {
	test(`the checker finds the cycle ${from} → ${to} made`, () => {
		const edges = roomEdges([...importsUnder('server'), { from, to }]);
		const found = cycles(edges).map((group) => describeCycle(group, edges));
		assert.equal(found.length, 1, 'one cycle');
		assert.ok(found[0].includes(`${from} → ${to}`), `the cycle names the import:\n${found[0]}`);
	});
}

test('the checker finds the cycles the old files of bounded reads and the CLI made', () => {
	// hosts/ and config/ read through files/, which leaned on session/ (mount-table → agent-script).
	const withFiles = roomEdges([...importsUnder('server'),
		{ from: 'server/hosts/hosts-file.ts', to: 'server/files/bounded-read.ts' },
		{ from: 'server/files/mount-table.ts', to: 'server/session/agent-script.ts' }]);
	assert.ok(cycles(withFiles).some((group) => group.includes('hosts/') && group.includes('files/')));
	// The CLI's entry and command table once sat in server/ itself (cli.ts → main.ts → cli/).
	assert.deepEqual(outOfPlaceInServer([{ from: 'server/cli.ts', to: 'server/main.ts' }, { from: 'server/main.ts', to: 'server/cli/format.ts' }]),
		['server/cli.ts belongs in a folder', 'server/main.ts belongs in a folder', 'server/cli.ts → server/main.ts', 'server/main.ts → server/cli/format.ts']);
});

test('the checker sees no cycle where imports only go down, and a file right in server/ stands alone', () => {
	const edges = roomEdges([
		{ from: 'server/kubebridge-server.ts', to: 'server/session/session.ts' },
		{ from: 'server/session/session.ts', to: 'server/errors.ts' },
		{ from: 'server/hosts/hosts-file.ts', to: 'server/files/bounded-read.ts' },
		{ from: 'server/session/session.ts', to: 'server/session/takeover.ts' },
		{ from: 'server/session/session.ts', to: 'node:fs' },
	]);
	assert.deepEqual(cycles(edges), []);
	assert.deepEqual([...edges.keys()].sort(), ['hosts/', 'kubebridge-server.ts', 'session/']);
	const loop = roomEdges([{ from: 'server/a/x.ts', to: 'server/b/y.ts' }, { from: 'server/b/y.ts', to: 'server/c/z.ts' }, { from: 'server/c/w.ts', to: 'server/a/v.ts' }]);
	assert.deepEqual(cycles(loop), [['a/', 'b/', 'c/']]);
});
