import { formatError } from '../output/msbuild-line.js';
import { recoverStaleLaunchProfiles } from '../profiles/profile-handover.js';
import { isProcessAlive } from '../../server/client-surface.js';
import { deleteState, readState, sessionKey } from '../session/session-state.js';

/** One line for Visual Studio's Output window (External Tools show stdout there). */
export const say = (line: string): void => {
	process.stdout.write(`${line}\n`);
};

/**
 * What a session killed without disconnecting left: its launch profiles (of any solution)
 * and its state file. Every command runs this first, so F5 never offers a stale profile
 * beyond the next kubebridge-vs run. Says what it removed.
 */
export function sweepStale(options: { solutionDir: string; stateDirectory: string; recordDirectory?: string }): void {
	const key = sessionKey(options.solutionDir);
	const state = readState(options.stateDirectory, key);
	if (state && !isProcessAlive(state.pid)) {
		deleteState(options.stateDirectory, key);
		say(`The session of ${state.startedAt} (process ${state.pid}) ended without disconnecting; the sidecar restores the cluster when its session process is gone.`);
	}
	const report = recoverStaleLaunchProfiles(options.recordDirectory ? { recordDirectory: options.recordDirectory } : {});
	for (const removed of report.removed) say(`Removed the stale launch profile '${removed.entry}' from ${removed.file} (${removed.outcome}).`);
	for (const failed of report.failed) say(formatError(failed.error));
}
