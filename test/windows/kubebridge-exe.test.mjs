// kubebridge.exe, the Windows sidecar, run under wine 10 and driven over real Windows pipes
// by a Windows process (test/windows/driver.cjs), as Visual Studio drives it; against the
// test cluster, as a developer bound to the Role of docs/rbac.md, in a namespace of its own.
// What Windows answers is compared with what the Linux executable answers for the same
// request; a session's call from a pod ends at a Windows process, the Windows hosts file
// comes back byte for byte, and nothing of wine is left running.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueKubeconfig } from '../helpers/cluster.mjs';
import { DEVELOPER_RULES } from '../helpers/developer-role.mjs';
import { startSidecar } from '../helpers/executable.mjs';
import { clusterTestSpace } from '../helpers/test-space.mjs';
import { icaclsRan, startWineDriver, WIN, wineLeftovers, wineUnavailable } from '../helpers/wine-driver.mjs';
import {
	appManifests, apply, clientManifests, comparableObject, createNamespace, getEachScript, inClient, rolloutDone,
} from '../helpers/workload-fixtures.mjs';
import { WEBAPI_LAUNCH_SETTINGS, crlf } from '../unit/vs-adapter/fixtures.mjs';

const skip = wineUnavailable() ?? false;
const SECRET = 's3cr3t-windows-fixture';
/** A Windows hosts file as Windows ships it: CRLF, comments, no final newline. */
const HOSTS = crlf('# Copyright (c) 1993-2009 Microsoft Corp.\n#\n# localhost name resolution is handled within DNS itself.\n#\t127.0.0.1       localhost\n#\t::1             localhost\n10.9.8.7 intranet.example');
const WINDOWS_FORMATS = ['launchSettings', 'powershell', 'cmd', 'dotenv', 'vscode'];
const target = { service: 'api' };

const space = skip ? null : clusterTestSpace('kb-windows');
let developer;
let driver;
let sidecar;
let linux;
let windowsServer;

before(async () => {
	if (skip) return;
	createNamespace(space.ns);
	const api = appManifests(space.ns, 'api');
	const container = api[0].spec.template.spec.containers[0];
	container.env.push({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'api-secret', key: 'password' } } });
	container.volumeMounts = [{ name: 'creds', mountPath: '/etc/creds', readOnly: true }];
	api[0].spec.template.spec.volumes = [{ name: 'creds', secret: { secretName: 'api-secret' } }];
	apply([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'api-secret', namespace: space.ns }, stringData: { password: SECRET } },
		...api, ...clientManifests(space.ns)]);
	developer = issueKubeconfig({ user: `dev-${space.ns}`, namespace: space.ns, rules: DEVELOPER_RULES });
	copyFileSync(developer.kubeconfig, join(space.folder, 'kubeconfig'));
	// wine's icacls changes no ACL but logs each call on this channel: what kubebridge asked for.
	driver = await startWineDriver({ shared: space.folder, wineDebug: '-all,fixme+icacls' });
	await driver.write(WIN.hosts, HOSTS);
	windowsServer = await driver.call('listen');
	sidecar = await driver.serve(WIN.kubebridge, ['serve', '--stdio', '--kubeconfig', WIN.shared('kubeconfig')]);
	linux = startSidecar({ args: ['--kubeconfig', developer.kubeconfig] });
	space.sidecars.push(linux);
	await Promise.all([rolloutDone(space.ns, 'api'), rolloutDone(space.ns, 'client')]);
});

after(async () => {
	await driver?.close();
});

/** The same request to the Windows and the Linux sidecar. */
async function both(method, params, ms = 60_000) {
	const [windows, posix] = await Promise.all([sidecar.client.request(method, params, ms), linux.client.request(method, params, ms)]);
	return { windows, posix };
}

test('initialize over Windows pipes: the same capabilities as on Linux, from a win32 process', { skip }, async () => {
	const info = await driver.call('info');
	assert.equal(info.platform, 'win32');
	const params = { processId: null, capabilities: {}, cluster: { namespace: space.ns } };
	const { windows, posix } = await both('initialize', params);
	sidecar.client.notify('initialized', {});
	linux.client.notify('initialized', {});
	const { logFile, ...rest } = windows.result;
	assert.deepEqual(rest, { capabilities: posix.result.capabilities, serverInfo: posix.result.serverInfo });
	assert.ok(logFile.startsWith(`${info.tmpdir}\\kubebridge\\logs\\kubebridge-serve-`) && logFile.endsWith('.log'), `in %TEMP%: ${logFile}`);
	assert.ok(await driver.read(logFile), 'the log file is there');
});

test('cluster/services and environment/get answer from Windows as from Linux; secrets masked unless revealed', { skip }, async () => {
	const services = await both('cluster/services', {});
	assert.ok(services.windows.result, JSON.stringify(services.windows.error));
	assert.deepEqual(services.windows.result, services.posix.result);
	assert.equal(services.windows.result.services.find((s) => s.name === 'api')?.connectable, true);

	const masked = await both('environment/get', { target });
	assert.ok(masked.windows.result, JSON.stringify(masked.windows.error));
	assert.deepEqual(masked.windows.result, masked.posix.result);
	const vars = Object.fromEntries(masked.windows.result.vars.map((v) => [v.name, v]));
	assert.equal(vars.POD_NAMESPACE.value, space.ns);
	assert.deepEqual([vars.DB_PASSWORD.value, vars.DB_PASSWORD.secret], ['****', true]);
	const revealed = await sidecar.client.request('environment/get', { target, reveal: true }, 60_000);
	assert.equal(revealed.result.vars.find((v) => v.name === 'DB_PASSWORD').value, SECRET);
});

test('environment/export in each Windows format: the Linux bytes, CRLF where Windows wants it', { skip }, async () => {
	const existing = crlf(WEBAPI_LAUNCH_SETTINGS);
	for (const format of WINDOWS_FORMATS) {
		const { windows, posix } = await both('environment/export', { target, format, ...(format === 'launchSettings' ? { existing } : {}) });
		assert.ok(windows.result, `${format}: ${JSON.stringify(windows.error)}`);
		assert.deepEqual(windows.result, posix.result, format);
		assert.ok(windows.result.text.includes(SECRET), `${format} carries the secret's value`);
		assert.ok(windows.result.text.includes(space.ns), format);
	}
	const text = async (format, extra = {}) => (await sidecar.client.request('environment/export', { target, format, ...extra }, 60_000)).result.text;
	for (const [format, extra] of [['cmd', {}], ['powershell', {}], ['launchSettings', { existing }]]) {
		assert.ok(!/[^\r]\n/.test(await text(format, extra)), `${format}: every line ends in CRLF`);
	}
	assert.ok((await text('powershell')).startsWith('\uFEFF'), 'PowerShell 5 reads UTF-8 only with a BOM');
});

test('session/connect → a pod\'s call answered by a Windows process → session/disconnect: workload, hosts file and session folder restored', { skip, timeout: 420_000 }, async () => {
	const deployment = await comparableObject('deployment', space.ns, 'api');
	const connect = await sidecar.client.request('session/connect',
		{ targets: [{ ...target, localPort: windowsServer.port }], outbound: {}, workDoneToken: 'connect' }, 200_000);
	assert.ok(connect.result, `${JSON.stringify(connect.error)}\n${driver.output()}`);
	assert.equal(connect.result.outbound.mode, 'names');
	assert.equal(connect.result.outbound.hostsPath.toLowerCase(), WIN.hosts.toLowerCase(), 'the hosts file of Windows');

	const answers = await inClient(space.ns, getEachScript(Array.from({ length: 4 }, (_, i) => `http://api/windows-${i}`)));
	for (const answer of answers) {
		assert.equal(answer.status, 200, JSON.stringify(answer));
		assert.deepEqual([JSON.parse(answer.body).marker, JSON.parse(answer.body).platform], [windowsServer.marker, 'win32']);
	}

	const during = (await driver.read(WIN.hosts)).toString('latin1');
	assert.ok(during.startsWith(HOSTS), 'the lines around the block are kept');
	assert.match(during, /# >>> kubebridge session=/);
	assert.match(during, /^127\.\d+\.\d+\.\d+ +api\b/m);
	assert.ok(!/[^\r]\n/.test(during), 'the block has the file\'s CRLF endings');

	// The secret volume's copy, where Windows reads it, in a folder given an owner-only ACL.
	const { root } = connect.result.targets[0].files;
	assert.equal((await driver.read(`${root}\\etc\\creds\\password`))?.toString(), SECRET);
	const sessionFolder = root.split('\\').slice(0, -2).join('\\');
	assert.ok(sessionFolder.toLowerCase().endsWith(`\\kubebridge\\sessions\\${connect.result.sessionId}`), sessionFolder);

	const disconnect = await sidecar.client.request('session/disconnect', { workDoneToken: 'disconnect' }, 200_000);
	assert.ok(disconnect.result, JSON.stringify(disconnect.error));
	assert.ok((await driver.read(WIN.hosts)).equals(Buffer.from(HOSTS, 'latin1')), 'the hosts file is byte-identical');
	assert.equal(await driver.read(`${sessionFolder}\\owner.json`), null, 'the session folder went, with the secret\'s copy');
	await rolloutDone(space.ns, 'api');
	assert.deepEqual(await comparableObject('deployment', space.ns, 'api'), deployment);

	assert.equal((await sidecar.client.request('shutdown', undefined, 60_000)).result, null);
	sidecar.client.notify('exit');
	assert.equal((await sidecar.exited).code, 0);
	assert.ok(icaclsRan(driver.output(), await driver.call('info'), sessionFolder), `icacls ran on the session folder:\n${driver.output()}`);
});

test('nothing of wine is left: no wineserver, no *.exe, no mount', { skip }, async () => {
	assert.equal(await driver.close(), 0, driver.output());
	driver = null;
	assert.deepEqual(wineLeftovers(), { processes: [], mounts: [] });
});
