import { spawn, type ChildProcess } from 'node:child_process';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import {
	ExitNotification, InitializeRequest, ShutdownRequest, WorkDoneProgress,
	type ClusterOptions, type InitializeResult, type WorkDoneProgressValue,
} from '../../protocol/index.js';
import { sidecarNotStarted } from '../errors.js';

export interface SidecarOptions {
	/** The packaged `kubebridge` executable. */
	executable: string;
	kubeconfig?: string;
	agentImage?: string;
	agentBaseImage?: string;
	cluster: ClusterOptions;
	workspaceFolder: string;
	/** Progress of requests sent with the token `vs`. */
	onProgress: (value: WorkDoneProgressValue) => void;
}

export interface Sidecar {
	child: ChildProcess;
	connection: MessageConnection;
	initializeResult: InitializeResult;
	/** Resolves with the exit code (or signal) when the sidecar is gone, however it ends. */
	exited: Promise<number | string>;
	/** `shutdown` then `exit`, as an editor ends it. */
	close(): Promise<void>;
}

/**
 * Starts `kubebridge serve` over stdio, as an editor does, and initializes it. The sidecar
 * watches this process (`--clientProcessId`): when it dies, even by `kill -9`, the sidecar
 * restores the cluster and exits.
 */
export async function startSidecar(options: SidecarOptions): Promise<Sidecar> {
	const args = ['serve', '--stdio', '--clientProcessId', String(process.pid)];
	if (options.kubeconfig) args.push('--kubeconfig', options.kubeconfig);
	if (options.agentImage) args.push('--agent-image', options.agentImage);
	if (options.agentBaseImage) args.push('--agent-base-image', options.agentBaseImage);
	const child = spawn(options.executable, args, { stdio: ['pipe', 'pipe', 'ignore'], windowsHide: true });
	const exited = new Promise<number | string>((resolve) => {
		child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
		child.on('error', () => resolve('not started'));
	});
	const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
	connection.onProgress(WorkDoneProgress.type, 'vs', options.onProgress);
	connection.listen();
	const started = new Promise<never>((_, reject) => {
		child.once('error', (error) => reject(sidecarNotStarted(options.executable, error.message)));
		child.once('exit', (code, signal) => reject(sidecarNotStarted(options.executable, `it ended (${code ?? signal}) before answering initialize`)));
	});
	// It settles only as a failure, and may after initialize (the sidecar's normal exit): only the race listens.
	started.catch(() => undefined);
	const initializeResult = await Promise.race([started, connection.sendRequest(InitializeRequest.type, {
		processId: process.pid,
		clientInfo: { name: 'kubebridge-vs' },
		capabilities: { supportsWorkDoneProgress: true },
		workspaceFolder: options.workspaceFolder,
		cluster: options.cluster,
	})]);
	return {
		child, connection, initializeResult, exited,
		async close() {
			await connection.sendRequest(ShutdownRequest.type);
			await connection.sendNotification(ExitNotification.type);
			await exited;
			connection.dispose();
		},
	};
}
