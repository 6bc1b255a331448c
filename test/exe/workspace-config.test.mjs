// The packaged executable reads kubebridge.yaml from the directory it is run in, and a bad
// file stops `env`, `connect` and `run` with its line and field before anything else
// happens (no cluster is needed to see it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXECUTABLE, bareEnv } from '../helpers/executable.mjs';

function inWorkspace(yaml, args) {
	const cwd = mkdtempSync(join(tmpdir(), 'kubebridge-ws-'));
	writeFileSync(join(cwd, 'kubebridge.yaml'), yaml);
	return { cwd, run: spawnSync(EXECUTABLE, args, { cwd, env: bareEnv(), encoding: 'utf8', timeout: 60_000 }) };
}

test('a bad kubebridge.yaml is reported with its file, line and field by env, connect and run; run starts nothing', () => {
	const yaml = 'version: 1\ntargets:\n  - service: api\n    ports:\n      - remote: 80\n        local: "3000"\n';
	for (const args of [['env', 'api'], ['connect'], ['run', '--', process.execPath, '-e', "require('node:fs').writeFileSync('started', '')"]]) {
		const { cwd, run } = inWorkspace(yaml, args);
		assert.equal(run.status, 1, `${args[0]}: ${run.stderr}`);
		assert.match(run.stderr, /kubebridge\.yaml:6:16: \/targets\/0\/ports\/0\/local: expected an integer, got a string\./, args[0]);
		assert.equal(existsSync(join(cwd, 'started')), false);
	}
});

test('-o json gives the typed error with its line and field', () => {
	const { run } = inWorkspace('version: 1\nfeatures:\n  hostFile: false\n', ['env', 'api', '-o', 'json']);
	assert.equal(run.status, 1);
	const { error } = JSON.parse(run.stdout);
	assert.deepEqual([error.code, error.data.reason, error.data.line, error.data.column, error.data.path], [-33500, 'configInvalid', 3, 3, '/features/hostFile']);
});
