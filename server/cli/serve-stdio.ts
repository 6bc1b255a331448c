import type { ClusterOptions } from '../../protocol/index.js';
import { Logger } from '../log/logger.js';
import type { AgentImageChoice } from '../session/agent-runtime.js';
import type { Framing } from '../rpc/message-stream.js';
import { serve } from '../rpc/server-connection.js';

export interface ServeStdioOptions {
	framing: Framing;
	cluster: ClusterOptions;
	clientProcessId?: number;
	agent?: AgentImageChoice;
}

/**
 * The sidecar: the protocol on stdin/stdout. Anything a library prints through `console`
 * goes to the log instead, because a stray byte on stdout would corrupt the framing.
 */
export async function serveStdio(options: ServeStdioOptions): Promise<never> {
	const logger = Logger.forRun('serve');
	const toLog = (level: 'info' | 'warning' | 'error') => (...args: unknown[]): void =>
		logger[level]('console', args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
	console.log = console.info = console.debug = toLog('info');
	console.warn = toLog('warning');
	console.error = toLog('error');
	process.on('uncaughtException', (error) => logger.error('server', 'uncaught exception', { error: String(error.stack ?? error) }));
	process.on('unhandledRejection', (error) => logger.error('server', 'unhandled rejection', { error: String(error) }));

	const running = serve({
		input: process.stdin,
		output: process.stdout,
		framing: options.framing,
		logger,
		cluster: options.cluster,
		...(options.clientProcessId ? { clientProcessId: options.clientProcessId } : {}),
		...(options.agent ? { agent: options.agent } : {}),
	});
	// A signal ends the server the way `exit` does: the cluster is restored first.
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => running.stop(`received ${signal}`));
	const code = await running.exited;
	// Let queued replies reach the client before the process goes.
	await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
	process.exit(code);
}
