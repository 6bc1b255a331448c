import { ResponseError } from 'vscode-jsonrpc/node';
import type { ClusterOptions, ErrorData, WorkDoneProgressValue } from '../../protocol/index.js';
import { Logger } from '../log/logger.js';
import type { AgentImageChoice } from '../session/agent-runtime.js';
import { startInProcess } from './in-process-client.js';

export type OutputFormat = 'table' | 'json';

export interface CommandOptions {
	cluster: ClusterOptions;
	output: OutputFormat;
	/** The agent image flags, when typed: a connect uses them, diagnostics show them. */
	agent?: AgentImageChoice;
}

/** Progress on stderr, one line per step, so stdout stays the command's result. */
function printProgress(value: WorkDoneProgressValue): void {
	if (!process.stderr.isTTY && !process.env.KUBEBRIDGE_PROGRESS) return;
	if (value.kind === 'begin') process.stderr.write(`${value.title}${value.message ? `: ${value.message}` : ''}…\n`);
	else if (value.kind === 'report' && value.message) process.stderr.write(`  ${value.message}\n`);
}

/** One readable line on stderr, or the typed error as JSON on `jsonStream` with `-o json`. */
export function reportError(error: unknown, output: OutputFormat, logFile: string | null, jsonStream: NodeJS.WritableStream = process.stdout): void {
	const typed = error instanceof ResponseError
		? { code: error.code, message: error.message, data: error.data as ErrorData | undefined }
		: { code: -32603, message: error instanceof Error ? error.message : String(error), data: { reason: 'internalError' } as ErrorData };
	if (output === 'json') {
		jsonStream.write(JSON.stringify({ error: typed }, null, 2) + '\n');
		return;
	}
	const hint = typed.data?.hint ? ` ${typed.data.hint}` : '';
	process.stderr.write(`kubebridge: ${typed.message}${hint}${logFile ? ` (log: ${logFile})` : ''}\n`);
}

/**
 * Runs one protocol request through an in-process server and prints its result; a
 * failure prints one readable line (or the typed error as JSON) and sets exit code 1.
 */
export async function runCommand<P, R>(
	options: CommandOptions,
	type: { method: string },
	params: P,
	format: (result: R) => string,
): Promise<void> {
	const logger = Logger.forRun('cli');
	let client: Awaited<ReturnType<typeof startInProcess>> | null = null;
	try {
		client = await startInProcess(logger, options.cluster, printProgress, options.agent);
		const result = await client.connection.sendRequest<R>(type.method, params);
		process.stdout.write((options.output === 'json' ? JSON.stringify(result, null, 2) : format(result)) + '\n');
	} catch (error) {
		reportError(error, options.output, logger.file);
		process.exitCode = 1;
	} finally {
		await client?.close().catch(() => undefined);
	}
}
