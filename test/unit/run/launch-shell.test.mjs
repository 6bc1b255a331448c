// A launch command written as one string runs through a shell, and the container's env
// vars whose names hold a dot or a dash (envFrom keys such as settings.json) must still
// reach the program: dash, Debian's /bin/sh, drops them; bash hands them on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChild } from '../../../out/server/run/child-process.js';
import { launchCommand } from '../../../out/server/run/launch-command.js';
import { launchShell, namesShellMayDrop } from '../../../out/server/run/launch-shell.js';
import { runEnvironment } from '../../../out/server/run/run-environment.js';

const POD_VARS = [
	{ name: 'CFG_settings.json', value: '{"currency":"EUR","pageSize":20}' },
	{ name: 'SECRET_tls.key', value: 'demo-private-key' },
	{ name: 'CREDS_api-token', value: 'tok en\nwith a line break' },
	{ name: 'CFG_LOG_LEVEL', value: 'debug' },
];

test('a string launch command hands the program every variable, names with dots and dashes included', async (t) => {
	const folder = mkdtempSync(join(tmpdir(), 'kubebridge-launch-shell-'));
	t.after(() => rmSync(folder, { recursive: true, force: true }));
	const out = join(folder, 'env.json');
	const script = "require('node:fs').writeFileSync(process.argv[1], JSON.stringify(process.env))";
	const launch = launchCommand([], { command: `'${process.execPath}' -e "${script}" '${out}'` }, folder);
	const outcome = await runChild({ ...launch, env: runEnvironment({ PATH: process.env.PATH }, POD_VARS) }, spawn, new EventEmitter());
	assert.deepEqual(outcome, { exitCode: 0 });
	const seen = JSON.parse(readFileSync(out, 'utf8'));
	for (const { name, value } of POD_VARS) assert.equal(seen[name], value, `${name} through ${launch.shell}`);
});

test('the shell is bash from PATH, else from its usual places, else /bin/sh; on Windows Node\'s default', () => {
	const only = (...files) => (file) => files.includes(file);
	assert.equal(launchShell('linux', '/opt/tools:/usr/bin', only('/usr/bin/bash', '/bin/bash')), '/usr/bin/bash');
	assert.equal(launchShell('darwin', '/usr/bin', only('/opt/homebrew/bin/bash')), '/opt/homebrew/bin/bash');
	assert.equal(launchShell('linux', '/usr/bin', only()), '/bin/sh');
	assert.equal(launchShell('win32', 'C:\\Windows', only()), true);
});

test('with /bin/sh only, the names it may drop are said; with bash, none', () => {
	const names = POD_VARS.map((v) => v.name);
	assert.deepEqual(namesShellMayDrop('/bin/sh', names), ['CFG_settings.json', 'SECRET_tls.key', 'CREDS_api-token']);
	assert.deepEqual(namesShellMayDrop('/usr/bin/bash', names), []);
	assert.deepEqual(namesShellMayDrop(false, names), []);
});
