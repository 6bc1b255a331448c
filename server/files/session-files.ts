import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetFiles } from '../../protocol/index.js';
import type { ClusterAccess } from '../cluster/cluster-access.js';
import type { Logger } from '../log/logger.js';
import type { AgentAddress } from '../tunnel/agent-exchange.js';
import { AgentFileSource } from './agent-file-source.js';
import { FileMirror } from './file-mirror.js';
import { mountsOf } from './mount-table.js';
import { createSessionFolder, removeSessionFolder } from './session-folder.js';

/** The env var naming the folder that stands for the container's `/`. */
const FILES_ROOT_ENV = 'KUBEBRIDGE_ROOT';
const REFRESH_MS = 2000;

/** What the files of a session need to know of a target. */
export interface FilesTarget {
	label: string;
	namespace: string;
	container: string;
	workload: { kind: string; name: string };
}

/** The session's agent pods, as the files see them. */
export interface ServingAgents {
	/** A serving agent pod of target `index`, `preferred` when it still serves. */
	address(index: number, preferred?: string): AgentAddress | null;
}

export interface FilesChange {
	target: string;
	files: string[];
}

/**
 * The mounted files of a session's targets, mirrored into the session's folder while it is
 * connected and refreshed every two seconds; the folder goes when the session ends (and
 * after a crash, when the next kubebridge starts: `removeStaleSessionFolders`).
 */
export class SessionFiles {
	private timer: NodeJS.Timeout | null = null;
	private refreshing: Promise<void> | null = null;

	private constructor(private readonly folder: string, private readonly targets: FilesTarget[], private readonly mirrors: FileMirror[],
		/** Ends the agent requests in flight when the session ends, so disconnect never waits on them. */
		private readonly stopping: AbortController,
		private readonly changed: (change: FilesChange) => void, private readonly logger: Logger) {}

	static async start(cluster: ClusterAccess, session: string, targets: FilesTarget[], agents: ServingAgents,
		changed: (change: FilesChange) => void, logger: Logger): Promise<SessionFiles> {
		const folder = createSessionFolder(session);
		const stopping = new AbortController();
		const mirrors: FileMirror[] = [];
		try {
			for (const [index, target] of targets.entries()) {
				const agent = agents.address(index);
				const pod = agent && await cluster.objects.read({ apiVersion: 'v1', kind: 'Pod', namespace: target.namespace, name: agent.pod });
				const root = join(folder, 'files', `${target.namespace}-${target.workload.kind.toLowerCase()}-${target.workload.name}`);
				mkdirSync(root, { recursive: true, mode: 0o700 });
				const mirror: FileMirror = new FileMirror(root, pod ? mountsOf(pod, target.container) : [],
					new AgentFileSource(cluster.endpoint, () => agents.address(index, mirror.current.pod), stopping.signal));
				mirrors.push(mirror);
			}
			const files = new SessionFiles(folder, targets, mirrors, stopping, changed, logger);
			await files.refresh();
			files.timer = setInterval(() => void files.refreshOnce(), REFRESH_MS);
			files.timer.unref();
			logger.info('files', 'mounted files mirrored', { folder, mounts: mirrors.map((m) => m.current.mounts.length) });
			return files;
		} catch (error) {
			removeSessionFolder(folder);
			throw error;
		}
	}

	describe(index: number): TargetFiles | null {
		const mirror = this.mirrors[index];
		return mirror ? { root: mirror.root, envVar: FILES_ROOT_ENV, ...mirror.current } : null;
	}

	/** What target `index`'s local program is handed: the variable naming the root of its copy. */
	vars(index: number): Record<string, string> {
		const mirror = this.mirrors[index];
		return mirror ? { [FILES_ROOT_ENV]: mirror.root } : {};
	}

	/** Where the copy of target `index`'s volume mount `name` is (its first mount, when the volume is mounted twice). */
	mountFolder(index: number, name: string): string | undefined {
		return this.mirrors[index]?.current.mounts.find((m) => m.name === name)?.localPath;
	}

	/**
	 * Stops refreshing and removes the session's folder with every copy in it. It never
	 * throws: restoring the cluster comes after it and must not be kept from running.
	 */
	async stop(): Promise<void> {
		if (this.timer) clearInterval(this.timer);
		this.timer = null;
		this.stopping.abort();
		await this.refreshing;
		try {
			removeSessionFolder(this.folder);
		} catch (error) {
			this.logger.warning('files', 'could not remove the session folder; the next session removes it', { folder: this.folder, error: (error as Error).message });
		}
	}

	private refreshOnce(): Promise<void> {
		this.refreshing ??= this.refresh().finally(() => { this.refreshing = null; });
		return this.refreshing;
	}

	private async refresh(): Promise<void> {
		for (const [index, mirror] of this.mirrors.entries()) {
			const before = mirror.current.refreshError;
			const files = await mirror.refresh();
			const error = mirror.current.refreshError;
			if (error && error !== before) this.logger.warning('files', 'refreshing the mounted files failed; the copy stays as it was', { target: this.targets[index]!.label, error });
			// The first copy is part of the connect result, not a change.
			if (files.length > 0 && this.timer) this.changed({ target: this.targets[index]!.label, files });
		}
	}
}
