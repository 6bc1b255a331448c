import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makePrivateFolder, underTemp } from '../../server/client-surface.js';

/**
 * What the background session of one solution leaves for later `kubebridge-vs` runs: they
 * find it by the solution folder, ask it over its control channel, and tell from `pid`
 * whether it still runs.
 */
export interface SessionState {
	version: 1;
	/** The background process holding the sidecar. */
	pid: number;
	sidecarPid: number;
	solutionDir: string;
	projectDir: string;
	service: string;
	namespace: string;
	localPort: number;
	sessionId: string;
	/** The launch profile written for F5, `null` when the project has no file to hold one. */
	profile: { file: string; entry: string } | null;
	/** The sidecar's log file and the background process's own. */
	logFiles: string[];
	/** Where the background process listens for `status`, `diagnostics` and `disconnect`. */
	control: string;
	startedAt: string;
}

/** Beside the hand-over records: `%TEMP%\kubebridge\vs-adapter\sessions`, `$TMPDIR/...` elsewhere. */
export const defaultStateDirectory = (platform: NodeJS.Platform = process.platform, temp: string = tmpdir()): string =>
	underTemp(['kubebridge', 'vs-adapter', 'sessions'], platform, temp);

/** One key per solution folder; Windows paths compare without case, as the file system does. */
export function sessionKey(solutionDir: string, platform: NodeJS.Platform = process.platform): string {
	const folder = resolve(solutionDir);
	return createHash('sha256').update(platform === 'win32' ? folder.toLowerCase() : folder).digest('hex').slice(0, 16);
}

/** A named pipe on Windows, a Unix socket in the state folder elsewhere (short: socket paths are limited to ~100 bytes). */
export function controlPath(directory: string, key: string, platform: NodeJS.Platform = process.platform): string {
	return platform === 'win32' ? `\\\\.\\pipe\\kubebridge-vs-${key}` : join(directory, `${key}.sock`);
}

const statePath = (directory: string, key: string): string => join(directory, `${key}.json`);

export function readState(directory: string, key: string): SessionState | null {
	try {
		const state = JSON.parse(readFileSync(statePath(directory, key), 'utf8')) as SessionState;
		return state.version === 1 ? state : null;
	} catch {
		return null;
	}
}

/** Written whole to a temporary name, then renamed, so a reader never sees half a state. */
/** The folder is private: its sockets take commands that end a session. */
export function ensureStateDirectory(directory: string): void {
	makePrivateFolder(directory);
	chmodSync(directory, 0o700);
}

export function writeState(directory: string, key: string, state: SessionState): void {
	ensureStateDirectory(directory);
	const temporary = `${statePath(directory, key)}.${process.pid}.tmp`;
	writeFileSync(temporary, JSON.stringify(state, null, 2), { mode: 0o600 });
	renameSync(temporary, statePath(directory, key));
}

export function deleteState(directory: string, key: string): void {
	rmSync(statePath(directory, key), { force: true });
}
