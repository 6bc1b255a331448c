import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE_NAME } from '../../server/client-surface.js';

/**
 * The folder the sidecar reads `kubebridge.yaml` from: the solution's when it holds one,
 * else the selected project's when that does, else the solution's. The adapter only looks
 * where the file is; what it says comes from the sidecar's `config/get`, so the plan and
 * the environment the sidecar hands over are read from the same file.
 */
export function workspaceFolderOf(solutionRoot: string, projectDir: string | null): string {
	const holdsConfig = (folder: string): boolean => existsSync(join(folder, CONFIG_FILE_NAME));
	if (holdsConfig(solutionRoot) || projectDir === null) return solutionRoot;
	return holdsConfig(projectDir) ? projectDir : solutionRoot;
}
