// What `kubebridge connect` and `kubebridge run` print under their Ready line: the env var
// and root, then one line per mount with where its copy is and what was not copied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMountedFiles } from '../../../out/server/cli/format.js';
import { mountedFilesLines } from '../../../out/server/cli/session-output.js';

const mount = (overrides) => ({
	name: 'config', mountPath: '/etc/config', localPath: '/tmp/r/etc/config', kind: 'configMap', secret: false,
	fileCount: 2, bytes: 10, error: null, skipped: [], skippedCount: 0, truncated: false, ...overrides,
});

test('the mount table names the root, each mount, its file count and what was not copied', () => {
	const lines = formatMountedFiles('service/orders', {
		root: '/tmp/r', envVar: 'KUBEBRIDGE_ROOT', pod: 'orders-1', refreshedAt: null, refreshError: null,
		mounts: [
			mount({}),
			mount({ name: 'creds', mountPath: '/etc/creds', localPath: '/tmp/r/etc/creds', kind: 'secret', secret: true, fileCount: 1,
				skipped: [{ path: '/etc/creds/a', reason: 'unreadable' }, { path: '/etc/creds/b', reason: 'unreadable' }], skippedCount: 2 }),
			mount({ name: 'gone', mountPath: '/data', localPath: '/tmp/r/data', kind: 'persistentVolumeClaim', fileCount: 0, error: 'missing' }),
		],
	});
	assert.deepEqual(lines, [
		'  Mounted files of service/orders (KUBEBRIDGE_ROOT=/tmp/r):',
		'    /etc/config → /tmp/r/etc/config (configMap, 2 files)',
		'    /etc/creds → /tmp/r/etc/creds (secret, 1 file, 2 not copied (unreadable))',
		'    /data → /tmp/r/data (persistentVolumeClaim, missing)',
	]);
});

test('a failed refresh is said after the table', () => {
	const lines = formatMountedFiles('service/orders', {
		root: '/tmp/r', envVar: 'KUBEBRIDGE_ROOT', pod: '', refreshedAt: null, refreshError: 'the agent image does not serve mounted files',
		mounts: [mount({ fileCount: 0, error: 'unavailable' })],
	});
	assert.equal(lines.at(-1), '    Not all copied: the agent image does not serve mounted files.');
	assert.equal(lines[1], '    /etc/config → /tmp/r/etc/config (configMap, unavailable)');
});

test('connect and run print the table of each target whose files were copied, and nothing for one without', () => {
	const files = { root: '/tmp/r', envVar: 'KUBEBRIDGE_ROOT', pod: 'orders-1', refreshedAt: null, refreshError: null, mounts: [mount({})] };
	const target = (name, copied) => ({ target: name, namespace: 'shop', workload: { kind: 'Deployment', name }, container: 'app', agentPods: [], ports: [],
		environment: copied ? { KUBEBRIDGE_ROOT: copied.root } : {}, files: copied });
	const lines = mountedFilesLines({ sessionId: 's', restoreWithinSeconds: 20, targets: [target('service/orders', files), target('service/quiet', null)] });
	assert.deepEqual(lines, ['  Mounted files of service/orders (KUBEBRIDGE_ROOT=/tmp/r):', '    /etc/config → /tmp/r/etc/config (configMap, 2 files)']);
});
