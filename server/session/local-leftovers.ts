import { HostsFile } from '../hosts/hosts-file.js';
import { removeStaleSessionFolders, sessionsDirectory } from '../files/session-folder.js';
import type { Logger } from '../log/logger.js';

/**
 * What sessions whose process is gone left on this machine: their blocks of the hosts
 * file and their session folders (with the secrets copied into them). The next connect
 * removes them too; `session/restore` must not wait for one. A live session's are left
 * alone, whichever namespace it is in.
 */
export async function removeLocalLeftovers(hostsPath: string | undefined, logger: Logger, sessions = sessionsDirectory()): Promise<string[]> {
	// An owner no block can have, so only the blocks of dead processes go.
	const hosts = new HostsFile({ sessionId: `restore-${process.pid}`, ...(hostsPath ? { path: hostsPath } : {}) });
	const blocks = await hosts.removeStaleBlocks();
	const folders = removeStaleSessionFolders(sessions);
	const cleaned = [...blocks.map((b) => `${hosts.path}: the names of session ${b.sessionId}`), ...folders];
	if (cleaned.length > 0) logger.info('session', 'removed what dead sessions left on this machine', { cleaned });
	return cleaned;
}
