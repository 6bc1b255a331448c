// The background session reads kubebridge.yaml through the sidecar it drives (`config/get`),
// never itself: what it plans and what the sidecar hands over come from one reading of one
// file. The sidecar is faked at its seam; the connect is made to fail, so the host takes
// back what it did and says why, and what it asked for is on record.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResponseError } from 'vscode-jsonrpc/node';
import { runSessionHost } from '../../../out/vs-adapter/session/session-host.js';
import { workspaceFolderOf } from '../../../out/vs-adapter/session/workspace-folder.js';
import { SHOP_SLN, WEBAPI_LAUNCH_SETTINGS, WEB_CSPROJ, tree } from './fixtures.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'kubebridge-vs-host-'));
process.env.KUBEBRIDGE_LOG_DIR = join(scratch, 'logs');
after(() => rmSync(scratch, { recursive: true, force: true }));

const shop = (files = {}) => tree({
	'Shop.sln': SHOP_SLN,
	'src/Shop.Api/Shop.Api.csproj': WEB_CSPROJ,
	'src/Shop.Api/Properties/launchSettings.json': WEBAPI_LAUNCH_SETTINGS,
	...files,
});

/** A sidecar that answers `config/get` with `config` and refuses the connect; every start and request is recorded. */
function fakeSidecar(config) {
	const started = [];
	const sent = [];
	const answers = {
		'config/get': { workspaceFolder: null, file: null, config, features: { hostsFile: true, outbound: true, probes: false, mountFiles: true } },
		'cluster/services': { namespace: 'x', services: [{ name: 'shop-api', connectable: true }, { name: 'checkout', connectable: true }] },
		'session/connect': new ResponseError(-33200, 'the fake cluster refuses', { reason: 'targetNotFound' }),
	};
	const start = async (options) => {
		started.push(options);
		return {
			child: { pid: 1 },
			initializeResult: { logFile: '' },
			exited: new Promise(() => undefined),
			connection: {
				onNotification() {},
				async sendRequest(type, params) {
					sent.push({ method: type.method, params });
					const answer = answers[type.method];
					if (answer instanceof Error) throw answer;
					return answer;
				},
			},
			async close() {},
		};
	};
	return { start, started, sent };
}

async function host(project, config, choices = {}) {
	const sidecar = fakeSidecar(config);
	const said = [];
	const code = await runSessionHost({
		solutionDir: project.root, projectDir: project.path('src/Shop.Api'), sidecar: 'kubebridge', choices,
		stateDirectory: join(scratch, 'sessions'),
	}, { line: (text) => said.push(text), ready: () => assert.fail('the fake connect fails'), failed: (line) => said.push(line) }, sidecar.start);
	return { code, said, ...sidecar };
}

test("the plan follows the sidecar's config/get, asked before anything else: service, port, container and namespace", async (t) => {
	// The file on disk says something else: only the sidecar's answer may count.
	const project = shop({ 'kubebridge.yaml': 'version: 1\ntargets:\n  - service: shop-api\n' });
	t.after(() => project.cleanup());
	const config = { version: 1, targets: [{ service: 'checkout', namespace: 'shop', container: 'app', ports: [{ remote: 8080, local: 7000 }] }] };
	const run = await host(project, config);
	assert.equal(run.code, 1);
	assert.deepEqual(run.sent.map((s) => s.method), ['config/get', 'cluster/services', 'session/connect']);
	assert.equal(run.sent[1].params.namespace, 'shop');
	assert.deepEqual(run.sent[2].params.targets, [{ service: 'checkout', localPort: 7000, namespace: 'shop', container: 'app' }]);
	assert.match(run.said.at(-1), /the fake cluster refuses/);
	assert.equal(readFileSync(project.path('src/Shop.Api/Properties/launchSettings.json'), 'utf8'), WEBAPI_LAUNCH_SETTINGS, 'no profile was written');
});

test('the command line still beats the workspace file; the namespace typed is the sidecar\'s from the start', async (t) => {
	const project = shop();
	t.after(() => project.cleanup());
	const run = await host(project, { version: 1, targets: [{ service: 'checkout', namespace: 'shop' }] }, { namespace: 'dev', service: 'shop-api' });
	assert.deepEqual(run.started[0].cluster, { namespace: 'dev' });
	assert.equal(run.sent[1].params.namespace, 'dev');
	assert.deepEqual(run.sent[2].params.targets, [{ service: 'shop-api', localPort: 5000, namespace: 'dev' }]);
});

test("the sidecar's workspace folder is the one holding kubebridge.yaml: the solution's first, then the project's", (t) => {
	const none = shop();
	const inProject = shop({ 'src/Shop.Api/kubebridge.yaml': 'version: 1\n' });
	const inBoth = shop({ 'kubebridge.yaml': 'version: 1\n', 'src/Shop.Api/kubebridge.yaml': 'version: 1\n' });
	t.after(() => [none, inProject, inBoth].forEach((p) => p.cleanup()));
	assert.equal(workspaceFolderOf(none.root, none.path('src/Shop.Api')), none.root);
	assert.equal(workspaceFolderOf(none.root, null), none.root);
	assert.equal(workspaceFolderOf(inProject.root, inProject.path('src/Shop.Api')), inProject.path('src/Shop.Api'));
	assert.equal(workspaceFolderOf(inBoth.root, inBoth.path('src/Shop.Api')), inBoth.root);
});
