// The Visual Studio adapter (the packaged kubebridge-vs) against the real cluster, run as
// the External Tools entries run it, as a developer bound to the Role of docs/rbac.md:
// connect keeps a session in the background and hands the service's environment to F5
// through a launch profile; the service answers from a local process; disconnect puts
// back the cluster and the file byte for byte; a kill -9 of the background session
// leaves no stale profile past the next command. The namespace is this test's own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { issueKubeconfig } from '../../helpers/cluster.mjs';
import { DEVELOPER_RULES } from '../../helpers/developer-role.mjs';
import {
	appManifests, apply, clientManifests, comparableObject, createNamespace, deleteNamespace, getEachScript,
	inClient, rolloutDone, startLocalServer, uniqueNamespace, waitFor,
} from '../../helpers/workload-fixtures.mjs';
import { SHOP_SLN, WEBAPI_LAUNCH_SETTINGS, WEB_CSPROJ, crlf, tree } from '../../unit/vs-adapter/fixtures.mjs';

const ADAPTER = resolve(process.env.KUBEBRIDGE_VS_EXECUTABLE ?? new URL('../../../bin/kubebridge-vs', import.meta.url).pathname);
const namespace = uniqueNamespace('kb-vs-adapter');
const scratch = mkdtempSync(join(tmpdir(), 'kubebridge-vs-adapter-'));
const stateDir = join(scratch, 'sessions');
let developer;
let local;
let project;
let original;
const settingsFile = () => project.path('src/Shop.Api/Properties/launchSettings.json');

before(async () => {
	createNamespace(namespace);
	apply([...appManifests(namespace, 'shop-api'), ...clientManifests(namespace)]);
	developer = issueKubeconfig({ user: `dev-${namespace}`, namespace, rules: DEVELOPER_RULES });
	local = await startLocalServer();
	// The Kestrel profile of the ASP.NET Core template, listening where the local process does.
	original = crlf(WEBAPI_LAUNCH_SETTINGS.replace('http://localhost:5000', `http://localhost:${local.port}`));
	project = tree({
		'Shop.sln': SHOP_SLN,
		'src/Shop.Api/Shop.Api.csproj': WEB_CSPROJ,
		'src/Shop.Api/Properties/launchSettings.json': original,
		'src/Shop.Orders/Shop.Orders.csproj': WEB_CSPROJ,
	});
	await Promise.all([rolloutDone(namespace, 'shop-api'), rolloutDone(namespace, 'client')]);
});

after(async () => {
	// Whatever a failed test left running goes first, so the namespace is not deleted under a live session.
	await adapter('disconnect').catch(() => undefined);
	await local?.close();
	project?.cleanup();
	deleteNamespace(namespace);
	rmSync(scratch, { recursive: true, force: true });
});

/** `kubebridge-vs <verb>` as the Tools menu runs it, with the solution and the selected project. */
function adapter(verb) {
	const args = [verb, '--solution-dir', `${project.root}/.`, '--project-dir', project.path('src/Shop.Api'),
		'--kubeconfig', developer.kubeconfig];
	const env = {
		PATH: '/nonexistent', HOME: join(scratch, 'home'), KUBEBRIDGE_LOG_DIR: join(scratch, 'logs'),
		KUBEBRIDGE_VS_STATE_DIR: stateDir, KUBEBRIDGE_VS_RECORD_DIR: join(scratch, 'handovers'),
	};
	return new Promise((resolve, reject) => {
		const child = spawn(ADAPTER, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
		let stdout = '';
		child.stdout.on('data', (d) => { stdout += d; });
		child.stderr.on('data', (d) => { stdout += d; });
		child.on('error', reject);
		child.on('close', (code) => resolve({ code, stdout }));
	});
}

const sessionState = () => {
	const files = existsSync(stateDir) ? readdirSync(stateDir).filter((f) => f.endsWith('.json')) : [];
	return files.length === 1 ? JSON.parse(readFileSync(join(stateDir, files[0]), 'utf8')) : null;
};
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const profileOf = () => JSON.parse(readFileSync(settingsFile(), 'utf8')).profiles['kubebridge: shop-api'];
const localAnswers = async () => (await inClient(namespace, getEachScript(Array.from({ length: 4 }, () => 'http://shop-api/vs')))).every((a) => local.answered(a));

test('connect from the adapter: profile with the cluster env, the service answers locally; disconnect restores cluster and file', async () => {
	const deployment = await comparableObject('deployment', namespace, 'shop-api');
	const connect = await adapter('connect');
	assert.equal(connect.code, 0, connect.stdout);
	assert.match(connect.stdout, /Project Shop\.Api: connecting service shop-api to localhost:\d+/);
	assert.match(connect.stdout, /Launch profile 'kubebridge: shop-api' written to .*launchSettings\.json/);

	const state = sessionState();
	assert.ok(state && alive(state.pid) && alive(state.sidecarPid), 'the session runs in the background after connect returned');
	const profile = profileOf();
	assert.equal(profile.commandName, 'Project');
	assert.equal(profile.applicationUrl, `http://localhost:${local.port}`);
	assert.equal(profile.environmentVariables.POD_NAMESPACE, namespace, 'the container\'s env, as the kubelet builds it');
	assert.ok(profile.environmentVariables.SHOP_API_SERVICE_HOST, 'service links of the namespace are there too');
	assert.ok(readFileSync(settingsFile(), 'utf8').includes('\r\n  "profiles": {\r\n    "IIS Express"'), 'the user\'s profiles stay, CRLF kept');

	assert.ok(await localAnswers(), 'calls to the service inside the cluster reach the local process');
	const status = await adapter('status');
	assert.equal(status.code, 0, status.stdout);
	assert.match(status.stdout, new RegExp(`service shop-api in ${namespace} reaches localhost:${local.port}`));
	assert.match(status.stdout, /Agents: 1 of 1 serving/);
	const diagnostics = await adapter('diagnostics');
	assert.equal(diagnostics.code, 0, diagnostics.stdout);
	assert.match(diagnostics.stdout, /^Versions\n  kubebridge \d+\.\d+\.\d+, Node /m, 'the sidecar\'s diagnostics/get');
	assert.match(diagnostics.stdout, new RegExp(`^Cluster\n  context dev-${namespace}, .*namespace ${namespace}$`, 'm'));
	assert.match(diagnostics.stdout, /^Environment of .*shop-api/m);
	assert.match(diagnostics.stdout, /^Adapter log: .*kubebridge-vs-adapter-.*\.log$/m);

	const again = await adapter('connect');
	assert.equal(again.code, 1);
	assert.match(again.stdout, /^kubebridge-vs: error KB33203: A session for .* already runs/m);

	const disconnect = await adapter('disconnect');
	assert.equal(disconnect.code, 0, disconnect.stdout);
	assert.match(disconnect.stdout, new RegExp(`Restored Deployment/${namespace}/shop-api\\.`));
	assert.equal(readFileSync(settingsFile(), 'utf8'), original, 'launchSettings.json is byte-identical');
	assert.ok(!alive(state.pid) && !alive(state.sidecarPid), 'no process left');
	assert.equal(sessionState(), null);
	await rolloutDone(namespace, 'shop-api');
	assert.deepEqual(await comparableObject('deployment', namespace, 'shop-api'), deployment);
	assert.equal((await adapter('status')).stdout.trim(), `Not connected: no kubebridge session runs for ${project.root}.`);
});

test('kill -9 of the background session: the sidecar restores the cluster, the next command removes the stale profile', async () => {
	const deployment = await comparableObject('deployment', namespace, 'shop-api');
	const connect = await adapter('connect');
	assert.equal(connect.code, 0, connect.stdout);
	const state = sessionState();
	assert.ok(profileOf());
	process.kill(state.pid, 'SIGKILL');
	await waitFor('the sidecar to restore and exit', () => !alive(state.sidecarPid), { ms: 120_000 });
	await rolloutDone(namespace, 'shop-api');
	assert.deepEqual(await comparableObject('deployment', namespace, 'shop-api'), deployment);
	assert.equal(profileOf()?.commandName, 'Project', 'the killed session could not take its profile back');

	const reconnect = await adapter('connect');
	assert.equal(reconnect.code, 0, reconnect.stdout);
	assert.match(reconnect.stdout, /ended without disconnecting/);
	assert.match(reconnect.stdout, /Removed the stale launch profile 'kubebridge: shop-api' from .*launchSettings\.json \(restored\)/);
	// Right after a restore too: connect answered only once the node's proxy routed to the agents (docs/connect.md).
	assert.ok(await localAnswers());
	const text = readFileSync(settingsFile(), 'utf8');
	assert.equal(text.split('"kubebridge: shop-api"').length, 2, 'one profile: the stale one went before the new one came');
	const disconnect = await adapter('disconnect');
	assert.equal(disconnect.code, 0, disconnect.stdout);
	assert.equal(readFileSync(settingsFile(), 'utf8'), original);
	assert.deepEqual(readdirSync(join(scratch, 'handovers')), [], 'no hand-over record left');
});
