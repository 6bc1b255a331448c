import { PassThrough } from 'node:stream';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import {
	ConfirmFreePortRequest, ExitNotification, InitializeRequest, ShutdownRequest, WorkDoneProgress,
	type ClusterOptions, type InitializeResult, type WorkDoneProgressValue,
} from '../../protocol/index.js';
import type { Logger } from '../log/logger.js';
import type { AgentImageChoice } from '../session/agent-runtime.js';
import { serve, type RunningServer } from '../rpc/server-connection.js';
import type { PortQuestion } from './port-question.js';

export interface ProtocolClient {
	connection: MessageConnection;
	initializeResult: InitializeResult;
	/** Shuts the server down as an editor would: `shutdown`, then `exit`. */
	close(): Promise<void>;
}

/**
 * Runs the server in this process on a pair of in-memory pipes and talks to it over the
 * real protocol, so a CLI command and an editor take exactly the same path. With
 * `askToFreePort`, the CLI answers `ports/confirmFree` as an editor would, by asking.
 */
export async function startInProcess(
	logger: Logger,
	cluster: ClusterOptions,
	onProgress: (value: WorkDoneProgressValue) => void,
	agent?: AgentImageChoice,
	askToFreePort?: PortQuestion | null,
): Promise<ProtocolClient> {
	const toServer = new PassThrough();
	const toClient = new PassThrough();
	const running: RunningServer = serve({ input: toServer, output: toClient, framing: 'headers', logger, ...(agent ? { agent } : {}) });
	const connection = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
	connection.onProgress(WorkDoneProgress.type, 'cli', onProgress);
	if (askToFreePort) connection.onRequest(ConfirmFreePortRequest.type, async (params) => ({ free: await askToFreePort(params) }));
	connection.listen();
	const initializeResult = await connection.sendRequest(InitializeRequest.type, {
		processId: process.pid,
		clientInfo: { name: 'kubebridge-cli' },
		// The CLI's workspace is where it is run: its kubebridge.yaml applies.
		workspaceFolder: process.cwd(),
		capabilities: { supportsWorkDoneProgress: true, supportsPortConfirmation: Boolean(askToFreePort) },
		cluster,
	});
	return {
		connection,
		initializeResult,
		async close() {
			await connection.sendRequest(ShutdownRequest.type);
			await connection.sendNotification(ExitNotification.type);
			await running.exited;
			connection.dispose();
			toServer.end();
		},
	};
}
