import {
	ConnectRequest, DidChangeStateNotification, DisconnectRequest,
	type ConnectResult, type ConnectTarget, type OutboundInfo, type OutboundOptions, type WorkDoneProgressValue,
} from '../../protocol/index.js';
import { Logger } from '../log/logger.js';
import { startInProcess, type ProtocolClient } from './in-process-client.js';
import { reportError, type CommandOptions } from './run-command.js';

export interface ConnectCommandOptions extends CommandOptions {
	targets: ConnectTarget[];
	agentImage?: string;
	outbound: OutboundOptions | undefined;
}

/** The services this machine reaches, one line each, and what the user should know. */
function outboundLines(info: OutboundInfo): string[] {
	const lines = info.services.map((s) => {
		const ports = s.ports.map((p) => (p.localPort === p.port ? `${p.port}` : `${p.port}→${p.localPort}`)).join(',');
		const name = s.names[0] ?? `${s.pod ? `${s.pod}.` : ''}${s.service}.${s.namespace}`;
		return `  ${name} → ${s.address}:${ports}`;
	});
	const where = info.mode === 'names' ? `by name (${info.hostsPath})` : 'on these addresses';
	return [`Cluster services reached from this machine ${where}:`, ...lines, ...info.notes.map((n) => `  Note: ${n}`)];
}

function readyLine(result: ConnectResult): string {
	const targets = result.targets.map((t) => {
		const ports = t.ports.map((p) => `${p.servicePort ?? p.remote}→localhost:${p.local}`).join(', ');
		return `${t.target} in ${t.namespace} (${t.agentPods.length} pod${t.agentPods.length === 1 ? '' : 's'}: ${ports})`;
	});
	return `Ready: ${targets.join('; ')}. Requests to it in the cluster now reach this machine. Press Ctrl-C to disconnect.`;
}

/**
 * `kubebridge connect`: connects, stays in the foreground while requests flow, and
 * disconnects on Ctrl-C (or SIGTERM, or the terminal going away). Progress and state
 * changes are lines on stderr, or JSON lines on stdout with `-o json`.
 */
export async function runConnect(options: ConnectCommandOptions): Promise<void> {
	const json = options.output === 'json';
	const say = (event: string, text: string, data: object = {}): void => {
		if (json) process.stdout.write(JSON.stringify({ event, ...data }) + '\n');
		else process.stderr.write(`${text}\n`);
	};
	const onProgress = (value: WorkDoneProgressValue): void => {
		if (value.kind === 'begin') say('progress', `${value.title}${value.message ? `: ${value.message}` : ''}…`, value);
		else if (value.kind === 'report' && value.message) say('progress', `  ${value.message}`, value);
	};
	const logger = Logger.forRun('connect');
	let client: ProtocolClient | null = null;
	try {
		client = await startInProcess(logger, options.cluster, onProgress, options.agentImage);
		client.connection.onNotification(DidChangeStateNotification.type, (event) => say('state', `  ${event.message}`, event));
		const stopped = new Promise<string>((resolve) => {
			for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => resolve(signal));
		});
		const result = await client.connection.sendRequest(ConnectRequest.type, {
			targets: options.targets, workDoneToken: 'cli', ...(options.outbound ? { outbound: options.outbound } : {}),
		});
		if (result.outbound && !json) say('outbound', outboundLines(result.outbound).join('\n'));
		say('ready', readyLine(result), { result });
		const signal = await stopped;
		say('progress', `${signal}: disconnecting…`, { signal });
		const disconnected = await client.connection.sendRequest(DisconnectRequest.type, { workDoneToken: 'cli' });
		say('disconnected', `Restored ${disconnected.restored.join(', ') || 'nothing'}.`, disconnected);
	} catch (error) {
		reportError(error, options.output, logger.file);
		process.exitCode = 1;
	} finally {
		await client?.close().catch(() => undefined);
	}
}
