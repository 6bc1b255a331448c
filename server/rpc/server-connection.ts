import type { Readable, Writable } from 'node:stream';
import { createMessageConnection, ResponseError, type CancellationToken, type Message, type MessageConnection, type NotificationType } from 'vscode-jsonrpc/node';
import {
	ConfirmFreePortRequest, DidChangeStateNotification, ExitNotification, InitializedNotification, InitializeRequest, LogTraceNotification, LogWriteNotification,
	SetTraceNotification, ShutdownRequest,
	type ClientCapabilities, type ClusterOptions, type InitializeParams, type InitializeResult,
	type TraceValue, type WorkDoneProgressParams,
} from '../../protocol/index.js';
import { KUBEBRIDGE_VERSION } from '../version.js';
import { KubebridgeServer, SERVER_CAPABILITIES, type ClusterAccessFactory } from '../kubebridge-server.js';
import type { ConfirmFree } from '../outbound/bind-port.js';
import type { AgentImageChoice } from '../session/agent-runtime.js';
import type { LogEntry, Logger } from '../log/logger.js';
import type { Work } from '../work.js';
import { methodBindings, type RequestBinding } from './method-bindings.js';
import { asKubebridgeError, requestCancelled } from '../errors.js';
import { alreadyInitialized, methodNotFound, serverNotInitialized, shutdownRequested, toResponseError } from './errors.js';
import { CheckedMessageReader, createWriter, type Framing, type RejectedInput } from './message-stream.js';
import { progressFor } from './progress-reporter.js';
import { validateNoParams, validateParams } from './validate.js';

export interface ServeOptions {
	input: Readable;
	output: Writable;
	framing: Framing;
	logger: Logger;
	/** Cluster choices from the command line; they win over the client's. */
	cluster?: ClusterOptions;
	/** Exit when this process is gone (`--clientProcessId`); `initialize`'s processId also counts. */
	clientProcessId?: number;
	makeClusterAccess?: ClusterAccessFactory;
	maxMessageBytes?: number;
	/** The agent image the command line names; `session/connect` uses it when the client names none. */
	agent?: AgentImageChoice;
}

export interface RunningServer {
	/** Settles with the exit code once the client sent `exit`, the input closed or the parent died. */
	readonly exited: Promise<number>;
	readonly connection: MessageConnection;
	/** The request methods this server answers, as registered. */
	readonly requests: readonly string[];
	/** The notifications this server acts on, as registered. */
	readonly notifications: readonly string[];
	/** Ends the server as a signal does: sessions are disconnected first. */
	stop(why: string): void;
}

type State = 'uninitialized' | 'running' | 'shutdown';
const PARENT_POLL_MS = 2000;

/** `$/cancelRequest` is handled inside the wire library, which hands handlers a token. */
const CANCEL_REQUEST = '$/cancelRequest';

/**
 * Binds the protocol to `KubebridgeServer`: lifecycle rules, params validation, progress,
 * cancellation, tracing and error mapping live here; the operations live in the server.
 */
export function serve(options: ServeOptions): RunningServer {
	const { logger } = options;
	const server = new KubebridgeServer(logger, options.cluster, options.makeClusterAccess, options.agent);
	const writer = createWriter(options.output, options.framing);
	const reader = new CheckedMessageReader(options.input, options.framing, rejectInput, options.maxMessageBytes);
	const connection = createMessageConnection(reader, writer, {
		error: (message) => logger.error('rpc', message),
		warn: (message) => logger.warning('rpc', message),
		info: (message) => logger.info('rpc', message),
		log: (message) => logger.debug('rpc', message),
	});
	const scrub = (text: string): string => logger.secrets.scrub(text);
	let state: State = 'uninitialized';
	let trace: TraceValue = 'off';
	let capabilities: ClientCapabilities = {};
	let settle: (code: number) => void = () => undefined;
	const exited = new Promise<number>((resolve) => { settle = resolve; });
	const watchers: NodeJS.Timeout[] = [];
	let inFlight = 0;
	let dispatched = 0;

	function rejectInput(rejected: RejectedInput): void {
		logger.warning('rpc', `rejected input: ${rejected.message}`, { reason: rejected.reason });
		if (!rejected.respond) return;
		const response = { jsonrpc: '2.0', id: rejected.id, error: { code: rejected.code, message: rejected.message, data: { reason: rejected.reason } } };
		writer.write(response as unknown as Message).catch(() => undefined);
	}

	/**
	 * Sends a notification if the connection is still open. A closed connection throws at
	 * once rather than rejecting, and what happens after the client went (a session event
	 * while restoring on exit) has no one to tell.
	 */
	function notify<P extends object>(type: NotificationType<P>, params: P): void {
		try {
			connection.sendNotification(type.method, params).catch(() => undefined);
		} catch (error) {
			logger.debug('rpc', `not sent: ${type.method}`, { error: (error as Error).message });
		}
	}

	function forwardLog(entry: LogEntry): void {
		if (state === 'uninitialized') return;
		if (trace !== 'off') {
			const verbose = trace === 'verbose' && entry.fields ? { verbose: JSON.stringify(entry.fields) } : {};
			notify(LogTraceNotification.type, { message: `[${entry.level}] ${entry.area}: ${entry.message}`, ...verbose });
		}
		if (capabilities.supportsLogNotifications && (entry.level === 'error' || entry.level === 'warning')) {
			notify(LogWriteNotification.type, { level: entry.level, area: entry.area, message: entry.message, time: entry.time });
		}
	}
	const detachLog = logger.attach(forwardLog);

	let finished = false;
	function finish(code: number, why: string): void {
		// `exit` is usually followed by the input closing; the first reason is the one.
		if (finished) return;
		finished = true;
		logger.info('server', `exiting with code ${code}: ${why}`);
		watchers.forEach(clearInterval);
		// Whatever ends the server, the cluster is put back before the process goes.
		void server.shutdown().catch((error: Error) => logger.error('server', 'restoring on exit failed', { error: error.message }))
			.finally(() => {
				detachLog();
				settle(code);
			});
	}
	/** The user decides through the client; no answer (an error, a closed connection) means no. */
	const askToFreePort: ConfirmFree = ({ address, port, service, holders, message }) =>
		connection.sendRequest(ConfirmFreePortRequest.type, {
			address, port, service, holders: holders.map((h) => ({ pid: h.pid, command: h.command })), message: scrub(message),
		}).then((answer) => answer?.free === true, () => false);
	server.onSessionEvent((event) => {
		notify(DidChangeStateNotification.type, { ...event, message: scrub(event.message) });
	});

	function watchParent(pid: number): void {
		const timer = setInterval(() => {
			try {
				process.kill(pid, 0);
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code === 'ESRCH') finish(1, `client process ${pid} is gone`);
			}
		}, PARENT_POLL_MS);
		timer.unref();
		watchers.push(timer);
	}
	if (options.clientProcessId) watchParent(options.clientProcessId);

	const requests = new Map<string, RequestBinding>([
		[InitializeRequest.method, {
			schema: InitializeRequest.paramsSchema,
			traits: InitializeRequest.traits,
			beforeInitialize: true,
			handle: (raw): InitializeResult => {
				if (state !== 'uninitialized') throw alreadyInitialized();
				const params = raw as InitializeParams;
				capabilities = params.capabilities;
				server.onConfirmFreePort(capabilities.supportsPortConfirmation ? askToFreePort : null);
				trace = params.trace ?? 'off';
				if (params.processId && params.processId !== process.pid) watchParent(params.processId);
				server.initialize(params);
				state = 'running';
				return {
					capabilities: SERVER_CAPABILITIES,
					serverInfo: { name: 'kubebridge', version: KUBEBRIDGE_VERSION },
					logFile: logger.file ?? '',
				};
			},
		}],
		[ShutdownRequest.method, {
			traits: ShutdownRequest.traits,
			handle: async () => {
				state = 'shutdown';
				await server.shutdown();
				return null;
			},
		}],
		...methodBindings(server),
	]);

	connection.onRequest(async (method: string, rawParams: unknown, token: CancellationToken) => {
		const started = Date.now();
		inFlight++;
		dispatched++;
		try {
			const binding = requests.get(method);
			if (state === 'uninitialized' && !binding?.beforeInitialize) throw serverNotInitialized(method);
			if (state === 'shutdown') throw shutdownRequested(method);
			if (!binding) throw methodNotFound(method);
			let params: unknown;
			if (binding.schema) params = validateParams(binding.schema, rawParams);
			else validateNoParams(rawParams);
			const { workDoneToken } = (params ?? {}) as WorkDoneProgressParams;
			const work: Work = { progress: progressFor(connection, workDoneToken, binding.traits, scrub), cancellation: token };
			const result = await binding.handle(params, work, token);
			if (token.isCancellationRequested) throw requestCancelled();
			logger.debug('rpc', `${method} answered`, { ms: Date.now() - started });
			return result;
		} catch (error) {
			const typed = asKubebridgeError(error);
			if (typed.reason === 'internalError') logger.error('rpc', `${method} failed`, { error: String((error as Error)?.stack ?? error) });
			else logger.info('rpc', `${method} failed: ${typed.message}`, { reason: typed.reason });
			// A cancelled request that did not finish is answered as cancelled (the spec's rule),
			// also when what was under way (a cluster call) failed on its own afterwards.
			return toResponseError(token.isCancellationRequested ? requestCancelled() : typed, scrub) as ResponseError<unknown>;
		} finally {
			inFlight--;
		}
	});

	const notifications = new Map<string, (params: unknown) => void>([
		[InitializedNotification.method, () => undefined],
		[SetTraceNotification.method, (raw) => {
			try {
				trace = validateParams(SetTraceNotification.paramsSchema, raw).value;
			} catch (error) {
				logger.warning('rpc', `ignored ${SetTraceNotification.method}: ${(error as Error).message}`);
			}
		}],
	]);

	connection.onNotification((method: string, rawParams: unknown) => {
		dispatched++;
		if (method === ExitNotification.method) {
			finish(state === 'shutdown' ? 0 : 1, 'exit notification');
			return;
		}
		// Before `initialize` and after `shutdown`, notifications other than `exit` are dropped.
		if (state !== 'running') return;
		const handle = notifications.get(method);
		if (handle) handle(rawParams);
		else logger.debug('rpc', `ignored notification ${method}`);
	});

	// Input that ends right after its last message (a pipe, a script) still gets every
	// answer: wait until queued messages are dispatched and in-flight requests are done.
	connection.onClose(() => {
		let seen = -1;
		const timer = setInterval(() => {
			if (inFlight > 0 || seen !== dispatched) {
				seen = dispatched;
				return;
			}
			clearInterval(timer);
			finish(state === 'shutdown' ? 0 : 1, 'input closed');
		}, 20);
	});
	connection.onError(([error]) => logger.warning('rpc', `connection error: ${error.message}`));
	connection.listen();
	logger.info('server', 'serving', { framing: options.framing, version: KUBEBRIDGE_VERSION, pid: process.pid });
	return {
		exited,
		connection,
		stop: (why) => finish(1, why),
		requests: [...requests.keys()],
		notifications: [...notifications.keys(), ExitNotification.method, CANCEL_REQUEST],
	};
}
