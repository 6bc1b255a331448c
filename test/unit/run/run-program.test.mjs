// `kubebridge run` with its seams faked: the protocol client, spawn and the process's
// signals. What is pinned down: the order (connect, environment, program, disconnect),
// what the program gets, how signals and exit statuses travel, and that a failed connect
// never starts the program.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ResponseError } from 'vscode-jsonrpc/node';
import { splitProgramWords } from '../../../out/server/cli/program-words.js';
import { runProgram } from '../../../out/server/cli/run-program.js';
import { main } from '../../../out/server/cli/main.js';
import { runChild } from '../../../out/server/run/child-process.js';
import { exitCodeOf, NOT_STARTED_EXIT_CODE } from '../../../out/server/run/exit-code.js';
import { launchCommand } from '../../../out/server/run/launch-command.js';
import { launchShell } from '../../../out/server/run/launch-shell.js';

let logs;
before(() => {
	logs = mkdtempSync(join(tmpdir(), 'kubebridge-run-test-'));
	process.env.KUBEBRIDGE_LOG_DIR = logs;
});
after(() => rmSync(logs, { recursive: true, force: true }));

/** A child process that exits when told to, and records the signals it was sent. */
function fakeChild({ started = true } = {}) {
	const child = new EventEmitter();
	child.pid = started ? 4242 : undefined;
	child.killed = [];
	child.kill = (signal) => { child.killed.push(signal); return true; };
	return child;
}

/** A spawn that records its call and hands out `child`. */
function fakeSpawn(child) {
	const calls = [];
	const spawn = (file, args, options) => { calls.push({ file, args, options }); return child; };
	return { spawn, calls };
}

const CONNECTED = {
	sessionId: 'abcd1234', restoreWithinSeconds: 20,
	targets: [{ target: 'service/api', namespace: 'shop', workload: { kind: 'Deployment', name: 'api' }, container: 'app', agentPods: ['api-1'],
		ports: [{ remote: 8080, local: 3000, servicePort: 80 }], environment: {} }],
};

/**
 * A protocol client whose answers are given per method (a value, an error to throw, or a
 * function of params and cancellation token); every request is recorded in order.
 */
function fakeClient(answers) {
	const sent = [];
	const client = {
		closed: false,
		connection: {
			onNotification() {},
			async sendRequest(type, params, token) {
				sent.push({ method: type.method, params });
				const answer = answers[type.method];
				if (answer instanceof Error) throw answer;
				return typeof answer === 'function' ? answer(params, token) : answer;
			},
		},
		async close() { client.closed = true; },
	};
	return { client, sent };
}

const baseAnswers = () => ({
	'config/get': { workspaceFolder: '/ws', file: null, config: null, features: { hostsFile: true, outbound: true, probes: false, mountFiles: true } },
	'session/connect': CONNECTED,
	'environment/get': { namespace: 'shop', pod: 'api-1', container: 'app', skipped: [], notes: [],
		vars: [{ name: 'DB_PASSWORD', value: 's3cr3t', source: 'secret', secret: true }, { name: 'HOME', value: '/root', source: 'literal', secret: false }] },
	'session/disconnect': { restored: ['Deployment/shop/api'] },
});

/** Runs `runProgram` with stderr captured; resolves with the exit code, stderr and the fakes. */
async function run({ answers = baseAnswers(), child = fakeChild(), command = ['node', 'server.js'], targets = [{ service: 'api', localPort: 3000 }], whileRunning } = {}) {
	const { client, sent } = fakeClient(answers);
	const { spawn, calls } = fakeSpawn(child);
	const signals = new EventEmitter();
	let stderr = '';
	const write = process.stderr.write;
	process.stderr.write = (chunk) => { stderr += chunk; return true; };
	try {
		const running = runProgram({ cluster: {}, output: 'table', targets, command, outboundArgs: { outbound: false } },
			{ start: async () => client, spawn, signals, env: { HOME: '/home/dev', PATH: '/usr/bin' } });
		await whileRunning?.({ child, signals, calls, sent });
		const code = await running;
		return { code, stderr, sent, calls, client, signals };
	} finally {
		process.stderr.write = write;
	}
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
async function until(condition) {
	for (let i = 0; i < 200 && !condition(); i++) await tick();
	assert.ok(condition(), 'condition reached');
}

test("the program runs with the container's environment over this one, and kubebridge exits with its status after restoring", async () => {
	const result = await run({
		whileRunning: async ({ child, calls }) => {
			await until(() => calls.length === 1);
			child.emit('exit', 7, null);
		},
	});
	assert.equal(result.code, 7);
	assert.deepEqual(result.sent.map((s) => s.method), ['config/get', 'session/connect', 'environment/get', 'session/disconnect']);
	assert.deepEqual(result.sent[2].params.target, { workload: { kind: 'Deployment', name: 'api' }, namespace: 'shop', container: 'app' });
	assert.equal(result.sent[2].params.reveal, true);
	const [call] = result.calls;
	assert.deepEqual([call.file, call.args, call.options.shell, call.options.stdio], ['node', ['server.js'], false, 'inherit']);
	assert.deepEqual(call.options.env, { HOME: '/root', PATH: '/usr/bin', DB_PASSWORD: 's3cr3t' }, 'the container wins; what it does not set stays');
	assert.ok(result.client.closed);
	assert.match(result.stderr, /Ready: service\/api in shop \(1 pod: 80→localhost:3000\)/);
	assert.match(result.stderr, /exited with 7/);
	assert.doesNotMatch(result.stderr, /s3cr3t/);
	assert.equal(result.signals.listenerCount('SIGINT'), 0, 'no listener is left behind');
});

test('SIGINT, SIGTERM and SIGHUP go to the program; a program killed by a signal gives 128 + its number', async () => {
	const result = await run({
		whileRunning: async ({ child, signals, calls }) => {
			await until(() => calls.length === 1);
			for (const signal of ['SIGINT', 'SIGHUP', 'SIGTERM']) signals.emit(signal);
			assert.deepEqual(child.killed, ['SIGINT', 'SIGHUP', 'SIGTERM']);
			child.emit('exit', null, 'SIGTERM');
		},
	});
	assert.equal(result.code, 143);
	assert.equal(result.sent.at(-1).method, 'session/disconnect', 'restored after the program went');
});

test('a failed connect never starts the program and ends with a typed error and a non-zero status', async () => {
	const answers = { ...baseAnswers(), 'session/connect': new ResponseError(-33200, "There is no service 'nope' in namespace 'shop'.", { reason: 'targetNotFound' }) };
	const result = await run({ answers });
	assert.equal(result.code, 1);
	assert.equal(result.calls.length, 0);
	assert.ok(!result.sent.some((s) => s.method === 'session/disconnect'));
	assert.match(result.stderr, /kubebridge: There is no service 'nope'/);
	assert.ok(result.client.closed);
});

test('a signal while connecting cancels the connect: no program, 128 + the signal', async () => {
	const answers = {
		...baseAnswers(),
		'session/connect': (_params, token) => new Promise((_resolve, reject) => {
			token.onCancellationRequested(() => reject(new ResponseError(-32800, 'The request was cancelled.', { reason: 'requestCancelled' })));
		}),
	};
	const result = await run({
		answers,
		whileRunning: async ({ signals, sent }) => {
			await until(() => sent.some((s) => s.method === 'session/connect'));
			signals.emit('SIGINT');
		},
	});
	assert.equal(result.code, 130);
	assert.equal(result.calls.length, 0);
	assert.doesNotMatch(result.stderr, /cancelled/, 'no error is shown for what the user asked');
});

test('a program that cannot start gives 127, and the cluster is still restored', async () => {
	const child = fakeChild({ started: false });
	const result = await run({
		child,
		whileRunning: async ({ calls }) => {
			await until(() => calls.length === 1);
			child.emit('error', Object.assign(new Error('spawn nosuch ENOENT'), { code: 'ENOENT' }));
		},
	});
	assert.equal(result.code, NOT_STARTED_EXIT_CODE);
	assert.match(result.stderr, /could not start node: spawn nosuch ENOENT/);
	assert.equal(result.sent.at(-1).method, 'session/disconnect');
});

test('a restore that fails turns a clean exit into a failure, and keeps a failing status', async () => {
	for (const [status, expected] of [[0, 1], [5, 5]]) {
		const answers = { ...baseAnswers(), 'session/disconnect': new ResponseError(-33105, 'The API server answered 500.', { reason: 'clusterRequestFailed' }) };
		const result = await run({
			answers,
			whileRunning: async ({ child, calls }) => {
				await until(() => calls.length === 1);
				child.emit('exit', status, null);
			},
		});
		assert.equal(result.code, expected);
		assert.match(result.stderr, /answered 500/);
	}
});

test('without a program after --, the launch command of kubebridge.yaml runs; with neither, a usage error before connecting', async () => {
	const answers = baseAnswers();
	answers['config/get'] = { ...answers['config/get'], config: { version: 1, launch: { command: ['dotnet', 'run'], cwd: 'src/Api' } } };
	const configured = await run({
		answers, command: [],
		whileRunning: async ({ child, calls }) => {
			await until(() => calls.length === 1);
			child.emit('exit', 0, null);
		},
	});
	assert.equal(configured.code, 0);
	assert.deepEqual([configured.calls[0].file, configured.calls[0].args, configured.calls[0].options.cwd], ['dotnet', ['run'], '/ws/src/Api']);

	const none = await run({ command: [] });
	assert.equal(none.code, 2);
	assert.deepEqual(none.sent.map((s) => s.method), ['config/get']);
	assert.match(none.stderr, /name the program to run after '--'/);
});

test('a launch command written as one string runs through the shell; what is typed runs as typed', () => {
	assert.deepEqual(launchCommand([], { command: 'npm start -- --port 3000' }, '/ws'), { file: 'npm start -- --port 3000', args: [], shell: launchShell(), cwd: '/ws' });
	assert.deepEqual(launchCommand(['node', '-e', 'x'], { command: 'ignored' }, '/ws'), { file: 'node', args: ['-e', 'x'], shell: false, cwd: process.cwd() });
	assert.equal(launchCommand([], undefined, '/ws'), null);
});

/** Runs `kubebridge <argv>` through the whole command line with `run`'s seams faked; resolves with the program's spawn. */
async function programStartedBy(argv) {
	const { client } = fakeClient(baseAnswers());
	const { spawn, calls } = fakeSpawn(fakeChild());
	const exiting = (...call) => {
		const child = spawn(...call);
		setImmediate(() => child.emit('exit', 0, null));
		return child;
	};
	const write = process.stderr.write;
	process.stderr.write = () => true;
	try {
		await main(argv, { start: async () => client, spawn: exiting, signals: new EventEmitter(), env: {} });
	} finally {
		process.stderr.write = write;
		process.exitCode = undefined;
	}
	assert.equal(calls.length, 1, 'the program was started once');
	return calls[0];
}

/** Words a program may well be given that a command-line parser reads as something else. */
const trickyWord = fc.oneof(
	fc.constantFrom('-0', '-1', '-5', '--', '-e', '', ' ', '  two  spaces ', '-n', '--kubeconfig', '--namespace=x', '-o', 'json', '--help', '--version',
		'--no-outbound', '--target', '0x10', '1e3', '010', '-', '--offset', 'ünïcødé', '日本', '🙂', "it's", '"quoted"', '$HOME', '*'),
	fc.string({ unit: 'grapheme', maxLength: 12 }),
);
/** What may stand before the `--`: kubebridge's own options in the forms users type them. */
const ownWords = fc.constantFrom(['run', 'api'], ['run', '-n', 'shop', 'api'], ['--kubeconfig', '/k', 'run', '--target', 'api:3000'],
	['run', 'api', '-p', '3000', '--no-hosts', '-o', 'json'], ['-n', 'shop', 'run', '--hosts-file', '/tmp/hosts', 'deployment/api']);

test('the words after the first -- reach the program exactly as typed, whatever they look like', async () => {
	await fc.assert(fc.asyncProperty(ownWords, fc.array(trickyWord, { minLength: 1, maxLength: 8 }), async (own, program) => {
		const call = await programStartedBy([...own, '--', ...program]);
		assert.deepEqual([call.file, ...call.args], program);
		assert.equal(call.options.shell, false, 'no shell reads them again');
	}), { numRuns: 150 });
	assert.deepEqual(splitProgramWords(['run', 'api']), { own: ['run', 'api'], program: [] }, 'no -- hands nothing over');
});

test('a real program sees the words as typed: -0 stays -0, an empty word stays an empty word', async () => {
	const { spawn } = await import('node:child_process');
	const { program } = splitProgramWords(['run', 'api', '--', '/usr/bin/printf', '[%s]', '-0', '-a', '--', '', '-5', '0x10', 'a b', 'ünï']);
	const printed = await new Promise((resolve, reject) => {
		const child = spawn(program[0], program.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
		let out = '';
		child.stdout.on('data', (d) => { out += d; });
		child.on('error', reject);
		child.on('close', () => resolve(out));
	});
	assert.equal(printed, '[-0][-a][--][][-5][0x10][a b][ünï]');
});

test('exit statuses read as a shell reports them', async () => {
	assert.equal(exitCodeOf(0, null), 0);
	assert.equal(exitCodeOf(3, null), 3);
	assert.equal(exitCodeOf(null, 'SIGKILL'), 137);
	assert.equal(exitCodeOf(null, 'SIGINT'), 130);
	// A real child, to pin down what Node reports for a signal.
	const { spawn } = await import('node:child_process');
	const signals = new EventEmitter();
	const outcome = runChild({ file: process.execPath, args: ['-e', 'process.kill(process.pid, "SIGTERM")'], env: {}, cwd: process.cwd(), shell: false }, spawn, signals);
	assert.deepEqual(await outcome, { exitCode: 143 });
	assert.equal(signals.listenerCount('SIGTERM'), 0);
});
