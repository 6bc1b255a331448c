// Where kubebridge puts and finds things on Windows, checked on any machine: the paths are
// built with Windows' rules when the platform is win32.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultHostsPath } from '../../../out/server/hosts/hosts-path.js';
import { HostsFile } from '../../../out/server/hosts/hosts-file.js';
import { logDirectory } from '../../../out/server/log/logger.js';
import { kubeconfigSources } from '../../../out/server/cluster/kube-config.js';
import { defaultRecordDirectory, recordPath } from '../../../out/vs-adapter/profiles/handover-record.js';
import { defaultStateDirectory } from '../../../out/vs-adapter/session/session-state.js';

const TEMP = 'C:\\Users\\dev\\AppData\\Local\\Temp';

test('the hosts file: System32\\drivers\\etc under %SystemRoot%, else %windir%, else C:\\Windows', () => {
	assert.equal(defaultHostsPath('win32', { SystemRoot: 'C:\\WINDOWS' }), 'C:\\WINDOWS\\System32\\drivers\\etc\\hosts');
	assert.equal(defaultHostsPath('win32', { windir: 'D:\\Win' }), 'D:\\Win\\System32\\drivers\\etc\\hosts');
	assert.equal(defaultHostsPath('win32', {}), 'C:\\Windows\\System32\\drivers\\etc\\hosts');
	assert.equal(defaultHostsPath('linux', { SystemRoot: 'C:\\WINDOWS' }), '/etc/hosts');
});

test('logs, hand-over records and adapter sessions go under %TEMP%\\kubebridge', () => {
	assert.equal(logDirectory('win32', {}, TEMP), `${TEMP}\\kubebridge\\logs`);
	assert.equal(logDirectory('win32', { KUBEBRIDGE_LOG_DIR: 'E:\\logs' }, TEMP), 'E:\\logs');
	assert.equal(logDirectory('linux', {}, '/tmp'), '/tmp/kubebridge/logs');
	assert.equal(defaultRecordDirectory('win32', TEMP), `${TEMP}\\kubebridge\\vs-adapter\\handovers`);
	assert.equal(defaultStateDirectory('win32', TEMP), `${TEMP}\\kubebridge\\vs-adapter\\sessions`);
	// One record per file however Windows spells its case.
	assert.equal(recordPath(TEMP, 'C:\\src\\Shop\\Properties\\launchSettings.json', 'win32'), recordPath(TEMP, 'c:\\SRC\\shop\\properties\\LAUNCHSETTINGS.JSON', 'win32'));
});

test('the kubeconfig: %USERPROFILE%\\.kube\\config, or KUBECONFIG split on ;', () => {
	const exists = (file) => file === 'C:\\Users\\dev\\.kube\\config';
	assert.deepEqual(kubeconfigSources({}, 'win32', {}, 'C:\\Users\\dev', exists), ['C:\\Users\\dev\\.kube\\config']);
	assert.deepEqual(kubeconfigSources({}, 'win32', {}, 'C:\\Users\\other', exists), []);
	assert.deepEqual(kubeconfigSources({}, 'win32', { KUBECONFIG: 'C:\\a\\config;D:\\b\\config;' }, 'C:\\Users\\dev', exists), ['C:\\a\\config', 'D:\\b\\config']);
	assert.deepEqual(kubeconfigSources({}, 'linux', { KUBECONFIG: '/a:/b' }, '/home/dev', () => false), ['/a', '/b']);
	assert.deepEqual(kubeconfigSources({ kubeconfig: 'C:\\x' }, 'win32', { KUBECONFIG: 'C:\\a' }, 'C:\\Users\\dev', exists), ['C:\\x']);
});

test('a hosts file without any line ending gets a CRLF block on Windows, and is byte-identical after removal', async () => {
	const path = join(mkdtempSync(join(tmpdir(), 'kb-win-hosts-')), 'hosts');
	const original = '127.0.0.1 localhost';
	writeFileSync(path, original);
	const hosts = new HostsFile({ sessionId: 'win1', path, platform: 'win32' });
	await hosts.add([{ address: '127.1.0.9', names: ['orders.shop'] }], 'shop');
	const written = readFileSync(path, 'latin1');
	assert.ok(written.startsWith(`${original}\r\n`), JSON.stringify(written));
	assert.ok(!/[^\r]\n/.test(written), 'every line ends in CRLF');
	await hosts.remove();
	assert.equal(readFileSync(path, 'latin1'), original);
});
