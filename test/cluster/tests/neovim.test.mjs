// Neovim's built-in JSON-RPC client (vim.lsp.rpc, headless) drives the packaged executable
// through a whole session against the real cluster, as a developer bound to the Role of
// docs/rbac.md: initialize (capabilities sent as [] by Lua) → cluster/services →
// session/connect → the service answers from this machine → session/disconnect →
// shutdown (params null) → exit. The namespace is this test's own and goes at the end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { issueKubeconfig } from '../../helpers/cluster.mjs';
import { DEVELOPER_RULES } from '../../helpers/developer-role.mjs';
import { EXECUTABLE } from '../../helpers/executable.mjs';
import {
	appManifests, apply, clientManifests, comparableObject, createNamespace, deleteNamespace, getEachScript,
	inClient, rolloutDone, startLocalServer, uniqueNamespace,
} from '../../helpers/workload-fixtures.mjs';

const namespace = uniqueNamespace('kb-vs-nvim');
const script = new URL('../../helpers/neovim-client.lua', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'kubebridge-nvim-'));
let developer;

before(async () => {
	createNamespace(namespace);
	apply([...appManifests(namespace, 'hello'), ...clientManifests(namespace)]);
	developer = issueKubeconfig({ user: `dev-${namespace}`, namespace, rules: DEVELOPER_RULES });
	await Promise.all([rolloutDone(namespace, 'hello'), rolloutDone(namespace, 'client')]);
});

after(() => {
	deleteNamespace(namespace);
	rmSync(scratch, { recursive: true, force: true });
});

/** Headless Neovim running the client script; its steps come as parsed JSON lines. */
function startNeovim(localPort) {
	const home = join(scratch, 'home');
	const env = {
		PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data'),
		XDG_STATE_HOME: join(home, 'state'), XDG_CACHE_HOME: join(home, 'cache'), KUBEBRIDGE_LOG_DIR: join(scratch, 'logs'),
		KB_EXE: EXECUTABLE, KB_KUBECONFIG: developer.kubeconfig, KB_NAMESPACE: namespace,
		KB_SERVICE: 'hello', KB_LOCAL_PORT: String(localPort), KB_DISCONNECT: join(scratch, 'disconnect-now'),
	};
	const nvim = spawn('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${script}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
	const steps = {};
	const waiting = [];
	let stderr = '';
	nvim.stderr.on('data', (d) => { stderr += d; });
	createInterface({ input: nvim.stdout }).on('line', (line) => {
		if (!line.startsWith('{')) return;
		const { event, value } = JSON.parse(line);
		steps[event] = value;
		for (const w of waiting.filter((w) => w.event === event || event === 'luaError')) w.resolve(value);
	});
	const exited = new Promise((resolve) => nvim.on('exit', (code) => resolve(code)));
	const step = (event, ms = 240_000) => new Promise((resolve, reject) => {
		if (event in steps) return resolve(steps[event]);
		const timer = setTimeout(() => reject(new Error(`Neovim did not reach ${event}: ${JSON.stringify(steps)} ${stderr}`)), ms);
		waiting.push({ event, resolve: (v) => { clearTimeout(timer); resolve(v); } });
	});
	return { nvim, steps, step, exited, disconnect: () => writeFileSync(env.KB_DISCONNECT, ''), stderr: () => stderr };
}

test('headless Neovim: initialize, services, a session whose service answers from here, disconnect, shutdown, exit', async () => {
	const before = await comparableObject('deployment', namespace, 'hello');
	const local = await startLocalServer();
	const neovim = startNeovim(local.port);
	try {
		const connected = await neovim.step('session/connect');
		assert.equal(neovim.steps.luaError, undefined, neovim.steps.luaError);
		assert.ok(neovim.steps.initialize.result.capabilities.supportsSessions, JSON.stringify(neovim.steps.initialize));
		const services = neovim.steps['cluster/services'].result.services;
		assert.deepEqual(services.map((s) => [s.name, s.connectable]).sort(), [['hello', true]]);
		assert.ok(connected.result, JSON.stringify(connected.error));
		assert.equal(connected.result.targets[0].target, 'service/hello');

		const answers = await inClient(namespace, getEachScript(Array.from({ length: 5 }, () => 'http://hello/from-nvim')));
		assert.ok(answers.every((a) => local.answered(a)), JSON.stringify(answers));

		neovim.disconnect();
		const disconnected = await neovim.step('session/disconnect');
		assert.deepEqual(disconnected.result.restored, [`Deployment/${namespace}/hello`], JSON.stringify(disconnected));
		await rolloutDone(namespace, 'hello');
		assert.deepEqual(await comparableObject('deployment', namespace, 'hello'), before);

		assert.deepEqual(await neovim.step('shutdown'), { error: null, result: null });
		assert.deepEqual(await neovim.step('exited'), { code: 0, signal: 0 });
		const { progress } = neovim.steps.notifications;
		for (const token of ['services', 'connect']) assert.ok(progress.includes(`${token}:end`), `${token} reported progress: ${progress}`);
		assert.equal(await neovim.exited, 0, neovim.stderr());
	} finally {
		if (neovim.nvim.exitCode === null) {
			neovim.disconnect();
			await Promise.race([neovim.exited, new Promise((resolve) => setTimeout(resolve, 200_000))]);
			neovim.nvim.kill('SIGKILL');
			console.error(JSON.stringify(neovim.steps), neovim.stderr());
		}
		await local.close();
	}
});
