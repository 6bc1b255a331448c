import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WireClient } from './wire.mjs';

export const EXECUTABLE = resolve(process.env.KUBEBRIDGE_EXECUTABLE ?? new URL('../../bin/kubebridge', import.meta.url).pathname);

/** An environment with no node on PATH, a private HOME and log folder. */
export function bareEnv(extra = {}) {
	const home = mkdtempSync(join(tmpdir(), 'kubebridge-home-'));
	return { PATH: '/nonexistent', HOME: home, KUBEBRIDGE_LOG_DIR: join(home, 'logs'), ...extra };
}

/** Runs a CLI command of the packaged executable to completion. */
export function runExecutable(args, env = {}) {
	return spawnSync(EXECUTABLE, args, { env: bareEnv(env), encoding: 'utf8', timeout: 60_000 });
}

/** Starts `kubebridge serve` and returns a wire client speaking to it. */
export function startSidecar({ args = [], env = {}, contentType = false } = {}) {
	const environment = bareEnv(env);
	const child = spawn(EXECUTABLE, ['serve', '--stdio', ...args], { env: environment, stdio: ['pipe', 'pipe', 'pipe'] });
	let stderr = '';
	child.stderr.on('data', (d) => { stderr += d; });
	const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
	const client = new WireClient(child.stdin, child.stdout, { contentType });
	return { child, client, exited, stderr: () => stderr, logDir: environment.KUBEBRIDGE_LOG_DIR };
}
