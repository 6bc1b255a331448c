import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cycles, describeCycle, importsUnder, REPO, roomEdges, roomOf } from '../../helpers/import-graph.mjs';

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
const SERVER_OWN = ['server/client-surface.ts', 'server/errors.ts', 'server/kubebridge-server.ts', 'server/version.ts', 'server/work.ts'];
/** The top: they gather the rooms (the server object, and what a client beside the sidecar may use). */
const SERVER_TOP = ['server/client-surface.ts', 'server/kubebridge-server.ts'];
function outOfPlaceInServer(imports) {
	const own = [...new Set(imports.map(({ from }) => from).filter((from) => roomOf(from) === from.slice('server/'.length)))];
	return [
		...own.filter((file) => !SERVER_OWN.includes(file)).map((file) => `${file} belongs in a folder`),
		...imports.filter(({ from, to }) => !SERVER_TOP.includes(from) && own.includes(from) && to.startsWith('server/') && !SERVER_OWN.includes(to))
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

test('the unit tests mirror the code: a folder of tests for every folder of server/, none loose in test/unit/', () => {
	const folders = (path) => readdirSync(join(REPO, path), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
	const untested = folders('server').filter((folder) => !existsSync(join(REPO, 'test/unit', folder))
		|| !readdirSync(join(REPO, 'test/unit', folder)).some((name) => name.endsWith('.test.mjs')));
	assert.deepEqual(untested, []);
	assert.deepEqual(readdirSync(join(REPO, 'test/unit')).filter((name) => name.endsWith('.mjs')), []);
});

const isPackage = (to) => !to.includes('/') || /^(@[^/]+\/[^/]+|vscode-jsonrpc\/node|yargs\/helpers)$/.test(to) || to.startsWith('node:');

test('the sidecar reaches the agent only through the contract room, and that room leans on neither side', () => {
	const intoAgent = importsUnder('server').filter(({ to }) => to.startsWith('agent/') && !to.startsWith('agent/src/contract/'));
	assert.deepEqual(intoAgent, [], 'server/ imports only agent/src/contract/ of the agent');
	const contract = importsUnder('agent/src/contract').filter(({ to }) => !to.startsWith('agent/src/contract/') && !to.startsWith('node:'));
	assert.deepEqual(contract, [], 'the contract room imports only itself and Node');
	const agent = importsUnder('agent/src').filter(({ to }) => !to.startsWith('agent/src/') && !isPackage(to));
	assert.deepEqual(agent, [], 'the agent imports nothing of the sidecar, the protocol or the adapter');
});

test('vs-adapter/ uses the protocol and the declared client surface of server/, no server internals', () => {
	const reaching = importsUnder('vs-adapter').filter(({ to }) => !to.startsWith('vs-adapter/') && !to.startsWith('protocol/')
		&& to !== 'server/client-surface.ts' && !isPackage(to));
	assert.deepEqual(reaching, []);
});

test("the README's table of server/ names every folder, and every import goes down it", () => {
	const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
	const start = readme.indexOf('Inside `server/`');
	const table = readme.slice(start, readme.indexOf('\n## ', start));
	const order = [...table.matchAll(/^\| (`[^|]+`) \|/gm)].flatMap(([, cell]) => [...cell.matchAll(/`([^`]+)`/g)].map(([, name]) => name.replace(/\/$/, '')))
		.filter((name) => name !== 'Folder');
	const rooms = readdirSync(join(REPO, 'server'), { withFileTypes: true }).filter((e) => e.isDirectory() || /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts')).map((e) => e.name);
	assert.deepEqual([...order].sort(), [...rooms].sort(), 'the table names every folder and file of server/');
	const rank = (room) => order.indexOf(room.replace(/\/$/, ''));
	const up = [];
	for (const [from, targets] of roomEdges(importsUnder('server'))) {
		for (const [to, imports] of targets) if (rank(from) >= rank(to)) up.push(`${from} → ${to} (${imports[0]})`);
	}
	assert.deepEqual(up, [], 'imports that go up the table');
});
