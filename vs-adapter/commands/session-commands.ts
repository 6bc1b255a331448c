import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive, logDirectory, pollUntil, type PollBound } from '../../server/client-surface.js';
import { notConnected } from '../errors.js';
import { formatError } from '../output/msbuild-line.js';
import { askSession, type ControlCommand } from '../session/control-channel.js';
import { readState, sessionKey, type SessionState } from '../session/session-state.js';
import { say, sweepStale } from './output.js';

/** The session host ends soon after disconnect answered; past this bound the command returns anyway. */
const HOST_GONE: PollBound = { everyMs: 100, withinMs: 30_000 };

export interface SessionCommandOptions {
	solutionDir: string;
	stateDirectory: string;
	recordDirectory?: string;
}

/** The running session of the solution, after sweeping what dead ones left. */
function liveSession(options: SessionCommandOptions): SessionState | null {
	sweepStale(options);
	const state = readState(options.stateDirectory, sessionKey(options.solutionDir));
	return state && isProcessAlive(state.pid) ? state : null;
}

async function ask(state: SessionState, command: ControlCommand, ms: number): Promise<number> {
	try {
		const answer = await askSession(state.control, command, ms);
		for (const line of answer.lines) say(line);
		return answer.failed ? 1 : 0;
	} catch (error) {
		say(formatError(error));
		return 1;
	}
}

export async function runStatus(options: SessionCommandOptions): Promise<number> {
	const state = liveSession(options);
	if (!state) {
		say(`Not connected: no kubebridge session runs for ${options.solutionDir}.`);
		return 0;
	}
	return ask(state, 'status', 30_000);
}

/** Ends the session; returns once its process is gone, so the files and the cluster are as before. */
export async function runDisconnect(options: SessionCommandOptions): Promise<number> {
	const state = liveSession(options);
	if (!state) {
		say(formatError(notConnected(options.solutionDir)));
		return 1;
	}
	const code = await ask(state, 'disconnect', 240_000);
	await pollUntil(() => !isProcessAlive(state.pid), HOST_GONE);
	if (code === 0) say('Disconnected.');
	return code;
}

/** The newest log files, for a user to attach to a report when no session runs to ask. */
function recentLogs(count: number): string[] {
	const folder = logDirectory();
	try {
		return readdirSync(folder).map((name) => join(folder, name))
			.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs).slice(0, count);
	} catch {
		return [];
	}
}

export async function runDiagnostics(options: SessionCommandOptions): Promise<number> {
	const state = liveSession(options);
	if (state) return ask(state, 'diagnostics', 60_000);
	say(`Not connected: no kubebridge session runs for ${options.solutionDir}.`);
	say(`Log folder: ${logDirectory()}`);
	for (const file of recentLogs(5)) say(`Log: ${file}`);
	return 0;
}
