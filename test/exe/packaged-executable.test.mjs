import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EXECUTABLE, runExecutable, startSidecar } from '../helpers/executable.mjs';
import { encode } from '../helpers/wire.mjs';
import { writeKubeconfig } from '../helpers/kubeconfig.mjs';

const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
const kubeconfig = writeKubeconfig([{ name: 'local', server: 'https://127.0.0.1:1', namespace: 'shop' }]);

test('the executable runs with no node on PATH: --version and --help', () => {
	assert.equal(runExecutable(['--version']).stdout.trim(), version);
	const help = runExecutable(['--help']);
	assert.equal(help.status, 0);
	for (const command of ['serve', 'services', 'namespaces', 'contexts', 'completion']) assert.match(help.stdout, new RegExp(`kubebridge ${command}`));
	assert.match(help.stdout, /Logs: /);
	assert.match(runExecutable(['completion']).stdout, /kubebridge/);
});

for (const contentType of [true, false]) {
	test(`a StreamJsonRpc-style client (Content-Type ${contentType ? 'present' : 'absent'}) completes a whole session`, async () => {
		const { client, exited } = startSidecar({ args: ['--kubeconfig', kubeconfig], contentType });
		const init = await client.initialize({ clientInfo: { name: 'visual-studio-test' } });
		assert.equal(init.result.serverInfo.version, version);
		const contexts = await client.request('cluster/contexts', {});
		assert.deepEqual(contexts.result.contexts.map((c) => [c.name, c.current]), [['local', true]]);
		const services = await client.request('cluster/services', {});
		assert.equal(services.error.data.reason, 'clusterUnreachable');
		assert.deepEqual((await client.request('shutdown')).result, null);
		client.notify('exit');
		assert.equal(await exited, 0);
	});
}

test('exit without shutdown exits with 1; a closed stdin ends the process', async () => {
	const first = startSidecar();
	await first.client.initialize();
	first.client.notify('exit');
	assert.equal(await first.exited, 1);
	const second = startSidecar();
	second.child.stdin.end();
	assert.equal(await second.exited, 1);
});

test('thousands of malformed messages leave the executable serving, and stdout holds only framed messages', async () => {
	const { client, exited } = startSidecar();
	await client.initialize();
	const bad = [
		() => Buffer.from('garbage\r\n\r\n'), () => encode('{"jsonrpc":'), () => encode('[{"jsonrpc":"2.0","id":1,"method":"x"}]'),
		(i) => encode({ jsonrpc: '2.0', id: `bad-${i}`, method: 'nope/nope' }),
	];
	const burst = Buffer.concat(Array.from({ length: 4000 }, (_, i) => bad[i % bad.length](i)));
	client.raw(burst);
	const answer = await client.request('cluster/contexts', {}, 60_000);
	assert.ok(answer.result || answer.error, 'still answering');
	assert.equal(client.reader.pending.filter((m) => m.error).length, 4000);
	assert.deepEqual((await client.request('shutdown')).result, null);
	client.notify('exit');
	assert.equal(await exited, 0);
});

test('newline framing for people typing by hand', async () => {
	const { spawnSync } = await import('node:child_process');
	const input = [
		'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"capabilities":{}}}',
		'not json',
		'{"jsonrpc":"2.0","id":2,"method":"shutdown"}',
		'{"jsonrpc":"2.0","method":"exit"}',
	].join('\n') + '\n';
	const run = spawnSync(EXECUTABLE, ['serve', '--framing', 'lines'], { input, encoding: 'utf8', env: { PATH: '/nonexistent' } });
	assert.equal(run.status, 0);
	// Framing errors are answered as soon as they are read, so they may overtake replies.
	const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
	assert.deepEqual(lines.map((l) => l.id).sort(), [1, 2, null]);
	assert.equal(lines.find((l) => l.id === null).error.code, -32700);
	assert.ok(lines.find((l) => l.id === 1).result.capabilities);
});

test('CLI errors: one readable line and exit 1, or the typed error as JSON', () => {
	const table = runExecutable(['services', '--kubeconfig', '/no/such/file']);
	assert.equal(table.status, 1);
	assert.equal(table.stdout, '');
	assert.equal(table.stderr.trim().split('\n').length, 1);
	assert.match(table.stderr, /^kubebridge: Kubeconfig file \/no\/such\/file does not exist\./);
	const json = runExecutable(['services', '--kubeconfig', '/no/such/file', '-o', 'json']);
	assert.equal(json.status, 1);
	assert.equal(JSON.parse(json.stdout).error.data.reason, 'kubeconfigNotFound');
	const unreachable = runExecutable(['namespaces', '--kubeconfig', kubeconfig, '-o', 'json']);
	assert.equal(JSON.parse(unreachable.stdout).error.code, -33100);
	const usage = runExecutable(['frobnicate']);
	assert.equal(usage.status, 2);
});

test("run: the words after -- are the program's, never kubebridge's options", () => {
	// Without a cluster the program never starts; what shows is that none of its words
	// (help, version, output format, another kubeconfig) was read as kubebridge's.
	const run = runExecutable(['run', 'api', '--kubeconfig', '/no/such/file', '--', '/usr/bin/printf', '[%s]', '-0', '--help', '--version',
		'-o', 'json', '--kubeconfig', kubeconfig, '-n', 'other', '--', '']);
	assert.equal(run.status, 1, run.stderr);
	assert.equal(run.stdout, '');
	assert.match(run.stderr, /^kubebridge: Kubeconfig file \/no\/such\/file does not exist\./);
});

test('the CLI lists contexts from the kubeconfig', () => {
	const run = runExecutable(['contexts', '--kubeconfig', kubeconfig]);
	assert.equal(run.status, 0, run.stderr);
	assert.match(run.stdout, /^CURRENT\s+NAME\s+CLUSTER\s+SERVER\s+NAMESPACE/);
	assert.match(run.stdout, /\*\s+local\s+local-cluster\s+https:\/\/127\.0\.0\.1:1\s+shop/);
});

test("the executable carries the agent's script: with nothing beside it, diagnostics name its content's ConfigMap and the image", async () => {
	const { createHash } = await import('node:crypto');
	const bundled = readFileSync(new URL('../../out/agent/agent.cjs', import.meta.url), 'utf8');
	const run = runExecutable(['diagnostics', '-o', 'json', '--kubeconfig', kubeconfig]);
	const { versions } = JSON.parse(run.stdout);
	assert.equal(versions.agentImage, 'node:24-slim');
	assert.equal(versions.agentScript, `kubebridge-agent-${createHash('sha256').update(bundled).digest('hex').slice(0, 12)}`);
	const mirrored = JSON.parse(runExecutable(['diagnostics', '-o', 'json', '--kubeconfig', kubeconfig], { KUBEBRIDGE_AGENT_BASE_IMAGE: 'mirror.example/node:24-slim' }).stdout);
	assert.equal(mirrored.versions.agentImage, 'mirror.example/node:24-slim');
	const full = JSON.parse(runExecutable(['diagnostics', '-o', 'json', '--kubeconfig', kubeconfig, '--agent-image', 'registry.example/kubebridge-agent:1']).stdout);
	assert.deepEqual([full.versions.agentImage, full.versions.agentScript], ['registry.example/kubebridge-agent:1', null]);
	const both = runExecutable(['connect', 'api', '--agent-image', 'a', '--agent-base-image', 'b']);
	assert.notEqual(both.status, 0);
	assert.match(both.stderr, /agent-image and agent-base-image are mutually exclusive/);
});
