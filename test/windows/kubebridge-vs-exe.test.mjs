// kubebridge-vs.exe, the Visual Studio adapter, run under wine 10 as the External Tools
// entries run it, by a Windows process: connect on a sample .csproj project hands the
// service's environment to F5 through a launch profile and keeps a session in the
// background; a pod's call reaches a Windows process; disconnect puts back the cluster and
// Properties/launchSettings.json byte for byte. As a developer bound to the Role of
// docs/rbac.md, in a namespace of its own; nothing of wine is left running.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { issueKubeconfig } from '../helpers/cluster.mjs';
import { DEVELOPER_RULES } from '../helpers/developer-role.mjs';
import { clusterTestSpace } from '../helpers/test-space.mjs';
import { icaclsRan, startWineDriver, WIN, wineLeftovers, wineUnavailable } from '../helpers/wine-driver.mjs';
import {
	appManifests, apply, clientManifests, comparableObject, createNamespace, getEachScript, inClient, rolloutDone,
} from '../helpers/workload-fixtures.mjs';
import { SHOP_SLN, WEBAPI_LAUNCH_SETTINGS, WEB_CSPROJ, crlf } from '../unit/vs-adapter/fixtures.mjs';

const skip = wineUnavailable() ?? false;
const space = skip ? null : clusterTestSpace('kb-windows-vs');
const SETTINGS = 'project/src/Shop.Api/Properties/launchSettings.json';
let driver;
let windowsServer;
let original;

before(async () => {
	if (skip) return;
	createNamespace(space.ns);
	apply([...appManifests(space.ns, 'shop-api'), ...clientManifests(space.ns)]);
	const developer = issueKubeconfig({ user: `dev-${space.ns}`, namespace: space.ns, rules: DEVELOPER_RULES });
	copyFileSync(developer.kubeconfig, join(space.folder, 'kubeconfig'));
	driver = await startWineDriver({ shared: space.folder, wineDebug: '-all,fixme+icacls' });
	windowsServer = await driver.call('listen');
	// The Kestrel profile of the ASP.NET Core template, listening where the Windows process does.
	original = crlf(WEBAPI_LAUNCH_SETTINGS.replace('http://localhost:5000', `http://localhost:${windowsServer.port}`));
	for (const [path, content] of Object.entries({
		'project/Shop.sln': SHOP_SLN, 'project/src/Shop.Api/Shop.Api.csproj': WEB_CSPROJ, [SETTINGS]: original,
	})) {
		mkdirSync(dirname(join(space.folder, path)), { recursive: true });
		writeFileSync(join(space.folder, path), content);
	}
	await Promise.all([rolloutDone(space.ns, 'shop-api'), rolloutDone(space.ns, 'client')]);
});

after(async () => {
	// A failed test's session goes first, so the namespace is not deleted under it.
	if (!driver) return;
	await adapter('disconnect').catch(() => undefined);
	await driver.close();
});

/** `kubebridge-vs <verb>` as the Tools menu runs it, with the solution and the selected project. */
const adapter = (verb) => driver.run(WIN.kubebridgeVs, [verb, '--solution-dir', WIN.shared('project', '.'),
	'--project-dir', WIN.shared('project', 'src', 'Shop.Api'), '--kubeconfig', WIN.shared('kubeconfig')]);
const settings = () => readFileSync(join(space.folder, SETTINGS), 'utf8');

test('connect on a .csproj project: the profile, the service answering from Windows; disconnect: cluster and launchSettings.json restored', { skip, timeout: 420_000 }, async () => {
	const deployment = await comparableObject('deployment', space.ns, 'shop-api');
	const connect = await adapter('connect');
	assert.equal(connect.code, 0, `${connect.stdout}${connect.stderr}\n${driver.output()}`);
	assert.match(connect.stdout, /Project Shop\.Api: connecting service shop-api to localhost:\d+/);
	assert.match(connect.stdout, /Launch profile 'kubebridge: shop-api' written to .*launchSettings\.json/);
	const profile = JSON.parse(settings()).profiles['kubebridge: shop-api'];
	assert.equal(profile.applicationUrl, `http://localhost:${windowsServer.port}`);
	assert.equal(profile.environmentVariables.POD_NAMESPACE, space.ns);
	assert.ok(settings().includes('\r\n  "profiles": {\r\n    "IIS Express"'), 'the user\'s profiles stay, CRLF kept');

	const answers = await inClient(space.ns, getEachScript(Array.from({ length: 4 }, () => 'http://shop-api/vs')));
	assert.ok(answers.every((a) => a.status === 200 && JSON.parse(a.body).marker === windowsServer.marker), JSON.stringify(answers));
	const status = await adapter('status');
	assert.match(status.stdout, new RegExp(`service shop-api in ${space.ns} reaches localhost:${windowsServer.port}`));

	const disconnect = await adapter('disconnect');
	assert.equal(disconnect.code, 0, `${disconnect.stdout}${disconnect.stderr}`);
	assert.match(disconnect.stdout, new RegExp(`Restored Deployment/${space.ns}/shop-api\\.`));
	assert.equal(settings(), original, 'launchSettings.json is byte-identical');
	assert.equal((await adapter('status')).stdout.trim(), `Not connected: no kubebridge session runs for ${WIN.shared('project')}.`);
	await rolloutDone(space.ns, 'shop-api');
	assert.deepEqual(await comparableObject('deployment', space.ns, 'shop-api'), deployment);

	// The background session made the hand-over records' and the session state's folders owner-only.
	const info = await driver.call('info');
	for (const folder of ['handovers', 'sessions']) {
		assert.ok(icaclsRan(driver.output(), info, `${info.tmpdir}\\kubebridge\\vs-adapter\\${folder}`), `icacls on ${folder}:\n${driver.output()}`);
	}
});

test('nothing of wine is left: no wineserver, no *.exe, no mount', { skip }, async () => {
	assert.equal(await driver.close(), 0, driver.output());
	driver = null;
	assert.deepEqual(wineLeftovers(), { processes: [], mounts: [] });
});
