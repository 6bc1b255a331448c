import type { ServerResponse } from 'node:http';
import { AGENT_HEADERS, AGENT_PATHS, type FileListing, type MountListing } from './contract/contract.js';
import { FileLister, readContent } from './file-listing.js';
import { readVolumeMountPoints, underMountPoint } from './mount-points.js';

/**
 * The container's mounted files for the sidecar, which mirrors them on the developer's
 * machine: a listing with digests, then the bytes of each file that changed. Only paths
 * under the container's volume mounts are served.
 */
export class FileServer {
	private readonly lister = new FileLister();

	constructor(private readonly mountPoints: () => Promise<string[]> = readVolumeMountPoints) {}

	handles(pathname: string): boolean {
		return pathname === AGENT_PATHS.files || pathname === AGENT_PATHS.fileContent;
	}

	async serve(url: URL, res: ServerResponse): Promise<void> {
		const points = await this.mountPoints();
		if (url.pathname === AGENT_PATHS.files) {
			const body: FileListing = { mounts: await this.listing(url.searchParams.getAll('mount'), points) };
			res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
			return;
		}
		const path = underMountPoint(url.searchParams.get('path') ?? '', points);
		if (!path) {
			res.writeHead(400, { 'content-type': 'text/plain' }).end('not a file under a volume mount of this container');
			return;
		}
		const answer = await readContent(path);
		if (answer.status !== 200) {
			res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.reason);
			return;
		}
		res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': answer.bytes.length, [AGENT_HEADERS.sha256]: answer.sha256 })
			.end(answer.bytes);
	}

	private async listing(requested: string[], points: string[]): Promise<MountListing[]> {
		const mounted = requested.map((mountPath) => underMountPoint(mountPath, points));
		const listed = await this.lister.list(mounted.filter((path): path is string => path !== null));
		return requested.map((mountPath, index) => {
			const path = mounted[index];
			return path ? { ...listed.find((l) => l.mountPath === path)!, mountPath } : { mountPath, error: 'notMounted', entries: [] };
		});
	}
}
