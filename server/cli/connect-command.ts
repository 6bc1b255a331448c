import { ConfigRequest, ConnectRequest, DidChangeStateNotification, DisconnectRequest, type ConnectTarget } from '../../protocol/index.js';
import { Logger } from '../log/logger.js';
import { startInProcess, type ProtocolClient } from './in-process-client.js';
import { outboundOptions, portQuestionFor, type OutboundArgs } from './outbound-flags.js';
import { reportError, type CommandOptions } from './run-command.js';
import { describeConnected, describeDisconnected, mountedFilesLines, outboundLines, sessionOutput } from './session-output.js';

export interface ConnectCommandOptions extends CommandOptions {
	targets: ConnectTarget[];
	/** The outbound flags as typed; what is not typed comes from kubebridge.yaml's features. */
	outboundArgs: OutboundArgs;
}

/**
 * `kubebridge connect`: connects, stays in the foreground while requests flow, and
 * disconnects on Ctrl-C (or SIGTERM, or the terminal going away). Progress and state
 * changes are lines on stderr, or JSON lines on stdout with `-o json`.
 */
export async function runConnect(options: ConnectCommandOptions): Promise<void> {
	const { say, progress: onProgress } = sessionOutput(options.output === 'json', process.stdout);
	const logger = Logger.forRun('connect');
	let client: ProtocolClient | null = null;
	try {
		client = await startInProcess(logger, options.cluster, onProgress, options.agent, portQuestionFor(options.outboundArgs));
		client.connection.onNotification(DidChangeStateNotification.type, (event) => say('state', `  ${event.message}`, event));
		const stopped = new Promise<string>((resolve) => {
			for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => resolve(signal));
		});
		const { features } = await client.connection.sendRequest(ConfigRequest.type, {});
		const outbound = outboundOptions(options.outboundArgs, features);
		const result = await client.connection.sendRequest(ConnectRequest.type, {
			targets: options.targets, workDoneToken: 'cli', ...(outbound ? { outbound } : {}),
		});
		if (result.outbound && options.output !== 'json') say('outbound', outboundLines(result.outbound).join('\n'));
		const shared = result.targets.some((t) => t.router);
		const reach = shared ? 'The requests it selects now reach this machine; the original pods keep serving the rest' : 'Requests to it in the cluster now reach this machine';
		const ready = `Ready: ${describeConnected(result)}. ${reach}. Press Ctrl-C to disconnect.`;
		say('ready', [ready, ...mountedFilesLines(result)].join('\n'), { result });
		const signal = await stopped;
		say('progress', `${signal}: disconnecting…`, { signal });
		const disconnected = await client.connection.sendRequest(DisconnectRequest.type, { workDoneToken: 'cli' });
		say('disconnected', describeDisconnected(disconnected), disconnected);
	} catch (error) {
		reportError(error, options.output, logger.file);
		process.exitCode = 1;
	} finally {
		await client?.close().catch(() => undefined);
	}
}
