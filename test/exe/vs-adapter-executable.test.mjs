// The packaged kubebridge-vs without a cluster: the lines its commands print, the settings
// file it writes, its errors in MSBuild's shape, and the sweep of what a killed session left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { installLaunchProfile } from '../../out/vs-adapter/profiles/profile-handover.js';
import { sessionKey } from '../../out/vs-adapter/session/session-state.js';
import { SHOP_SLN, WEBAPI_LAUNCH_SETTINGS, WEB_CSPROJ, crlf, tree } from '../unit/vs-adapter/fixtures.mjs';
import { childrenNamed, parseStrictXml } from '../unit/vs-adapter/strict-xml.mjs';

const ADAPTER = resolve(process.env.KUBEBRIDGE_VS_EXECUTABLE ?? new URL('../../bin/kubebridge-vs', import.meta.url).pathname);

function setup(files = {}) {
	const project = tree({
		'Shop.sln': SHOP_SLN,
		'src/Shop.Api/Shop.Api.csproj': WEB_CSPROJ,
		'src/Shop.Api/Properties/launchSettings.json': crlf(WEBAPI_LAUNCH_SETTINGS),
		'src/Shop.Orders/Shop.Orders.csproj': WEB_CSPROJ,
		...files,
	});
	const scratch = mkdtempSync(join(tmpdir(), 'kubebridge-vs-exe-'));
	const env = {
		PATH: '/nonexistent', HOME: scratch, KUBEBRIDGE_LOG_DIR: join(scratch, 'logs'),
		KUBEBRIDGE_VS_STATE_DIR: join(scratch, 'sessions'), KUBEBRIDGE_VS_RECORD_DIR: join(scratch, 'handovers'),
	};
	const run = (...args) => spawnSync(ADAPTER, [...args, '--solution-dir', `${project.root}/.`, '--project-dir', project.path('src/Shop.Api')],
		{ env: { ...env, ...(args.env ?? {}) }, encoding: 'utf8', timeout: 60_000 });
	return { project, scratch, env, run };
}

test('tools writes a .vssettings whose four commands run this executable', (t) => {
	const { scratch, env, project } = setup();
	t.after(() => project.cleanup());
	const out = join(scratch, 'kubebridge.vssettings');
	const run = spawnSync(ADAPTER, ['tools', '--out', out], { env, encoding: 'utf8' });
	assert.equal(run.status, 0, run.stderr);
	assert.equal(run.stdout, `Wrote ${out}: import it in Visual Studio with Tools > Import and Export Settings.\n`);
	const root = parseStrictXml(readFileSync(out, 'utf8'));
	const [group] = childrenNamed(root, 'Category');
	const [category] = childrenNamed(group, 'Category');
	const tools = childrenNamed(childrenNamed(category, 'ExternalTools')[0], 'UserCreatedTool').map((tool) => Object.fromEntries(tool.children.map((c) => [c.name, c.text])));
	assert.deepEqual(tools.map((x) => x.Title), ['kubebridge: Connect', 'kubebridge: Disconnect', 'kubebridge: Status', 'kubebridge: Diagnostics']);
	assert.ok(tools.every((x) => x.Command === ADAPTER));
});

test('without a session: status and diagnostics say so, disconnect is an error line', (t) => {
	const { project, run } = setup();
	t.after(() => project.cleanup());
	const status = run('status');
	assert.deepEqual([status.status, status.stdout], [0, `Not connected: no kubebridge session runs for ${project.root}.\n`]);
	const diagnostics = run('diagnostics');
	assert.equal(diagnostics.status, 0);
	assert.match(diagnostics.stdout, /^Log folder: .*logs$/m);
	const disconnect = run('disconnect');
	assert.equal(disconnect.status, 1);
	assert.equal(disconnect.stdout, `kubebridge-vs: error KB33203: No session runs for ${project.root}. Connect first (Tools > kubebridge: Connect).\n`);
});

test('connect with a broken launchSettings.json: one MSBuild line naming file, line and column; nothing left running', (t) => {
	const broken = '{\r\n  "profiles": {\r\n    "Shop.Api": { "commandName": "Project", }\r\n    "x": 1\r\n  }\r\n}\r\n';
	const { project, run, env } = setup({ 'src/Shop.Api/Properties/launchSettings.json': broken });
	t.after(() => project.cleanup());
	const connect = run('connect');
	assert.equal(connect.status, 1);
	assert.match(connect.stdout, new RegExp(`^${project.path('src/Shop.Api/Properties/launchSettings.json').replace(/[.\\/]/g, '\\$&')}\\(4,5\\): error KB33601: `, 'm'), connect.stdout);
	assert.equal(readFileSync(project.path('src/Shop.Api/Properties/launchSettings.json'), 'utf8'), broken);
	assert.ok(!existsSync(join(env.KUBEBRIDGE_VS_STATE_DIR, `${sessionKey(project.root)}.json`)));
});

test('connect when the sidecar cannot start: an error line, no profile written', (t) => {
	const { project, env } = setup();
	t.after(() => project.cleanup());
	const connect = spawnSync(ADAPTER, ['connect', '--solution-dir', project.root, '--project-dir', project.path('src/Shop.Api')],
		{ env: { ...env, KUBEBRIDGE_SIDECAR: join(project.root, 'no-such-kubebridge') }, encoding: 'utf8', timeout: 60_000 });
	assert.equal(connect.status, 1);
	assert.match(connect.stdout, /^kubebridge-vs: error KB33605: Cannot start the sidecar .*no-such-kubebridge: .*ENOENT/m);
	assert.equal(readFileSync(project.path('src/Shop.Api/Properties/launchSettings.json'), 'utf8'), crlf(WEBAPI_LAUNCH_SETTINGS));
});

test("a broken kubebridge.yaml in the project folder: the sidecar's error as one MSBuild line naming file, line and column", (t) => {
	const { project, run } = setup({ 'src/Shop.Api/kubebridge.yaml': 'version: 1\ntargets:\n  - service: shop-api\n    colour: blue\n' });
	t.after(() => project.cleanup());
	const connect = run('connect');
	assert.equal(connect.status, 1);
	const file = project.path('src/Shop.Api/kubebridge.yaml');
	assert.match(connect.stdout, new RegExp(`^${file.replace(/[.\\/]/g, '\\$&')}\\(4,5\\): error KB\\d+: .*colour`, 'm'), connect.stdout);
	assert.equal(readFileSync(project.path('src/Shop.Api/Properties/launchSettings.json'), 'utf8'), crlf(WEBAPI_LAUNCH_SETTINGS));
});

test('what a killed session left (state file, launch profile) goes at the next command, the file byte-identical again', (t) => {
	const { project, run, env } = setup();
	t.after(() => project.cleanup());
	const file = project.path('src/Shop.Api/Properties/launchSettings.json');
	const dead = spawnSync('/bin/true').pid;
	installLaunchProfile({
		file, kind: 'launchSettings', entry: 'kubebridge: shop-api', ownerPid: dead, recordDirectory: env.KUBEBRIDGE_VS_RECORD_DIR,
		content: { env: { A: '1' }, applicationUrl: 'http://localhost:5000', baseConfiguration: null },
	});
	mkdirSync(env.KUBEBRIDGE_VS_STATE_DIR, { recursive: true });
	writeFileSync(join(env.KUBEBRIDGE_VS_STATE_DIR, `${sessionKey(project.root)}.json`), JSON.stringify({
		version: 1, pid: dead, sidecarPid: dead, solutionDir: project.root, projectDir: project.path('src/Shop.Api'), service: 'shop-api',
		namespace: 'shop', localPort: 5000, sessionId: 'dead', profile: { file, entry: 'kubebridge: shop-api' }, logFiles: [],
		control: join(env.KUBEBRIDGE_VS_STATE_DIR, 'none.sock'), startedAt: '2026-11-22T10:00:00.000Z',
	}));
	assert.notEqual(readFileSync(file, 'utf8'), crlf(WEBAPI_LAUNCH_SETTINGS));
	const status = run('status');
	assert.equal(status.status, 0);
	assert.deepEqual(status.stdout.split('\n'), [
		`The session of 2026-11-22T10:00:00.000Z (process ${dead}) ended without disconnecting; the sidecar restores the cluster when its session process is gone.`,
		`Removed the stale launch profile 'kubebridge: shop-api' from ${file} (restored).`,
		`Not connected: no kubebridge session runs for ${project.root}.`,
		'',
	]);
	assert.equal(readFileSync(file, 'utf8'), crlf(WEBAPI_LAUNCH_SETTINGS));
	assert.deepEqual(readdirSync(env.KUBEBRIDGE_VS_STATE_DIR), []);
});
