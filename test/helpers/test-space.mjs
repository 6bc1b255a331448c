import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteNamespace, uniqueNamespace } from './workload-fixtures.mjs';

/**
 * What a cluster test file holds on to: its namespace, a temporary folder, the sidecars it
 * started and its local server. All of it goes after the file's tests, however they end.
 */
export function clusterTestSpace(prefix) {
	const space = { ns: uniqueNamespace(prefix), folder: mkdtempSync(join(tmpdir(), `kubebridge-${prefix}-`)), sidecars: [], local: null };
	after(async () => {
		for (const sidecar of space.sidecars) sidecar.child.kill('SIGKILL');
		await space.local?.close();
		deleteNamespace(space.ns);
		rmSync(space.folder, { recursive: true, force: true });
	});
	return space;
}
