import type { MountListing } from '../../agent/src/contract/contract.js';

export interface FileContent {
	bytes: Buffer;
	/** Hex SHA-256 of `bytes`, as the agent computed it. */
	sha256: string;
}

/** One listing of a container's mounts, and the pod that answered it, to read its files from. */
export interface FileSnapshot {
	pod: string;
	mounts: MountListing[];
	read(path: string): Promise<FileContent>;
}

/** Where the mirror reads a container's mounted files: an agent pod, or a fake in tests. */
export interface FileSource {
	list(mountPaths: string[]): Promise<FileSnapshot>;
}
