import type { Readable, Writable } from 'node:stream';
import { createMessageConnection, type Message, type MessageConnection } from 'vscode-jsonrpc/node';
import {
	CancelRequestNotification, ExitNotification, InitializedNotification, SetTraceNotification, type ClusterOptions,
} from '../../protocol/index.js';
import { KUBEBRIDGE_VERSION } from '../version.js';
import { KubebridgeServer, type ClusterAccessFactory } from '../kubebridge-server.js';
import type { AgentImageChoice } from '../session/agent-runtime.js';
import type { Logger } from '../log/logger.js';
import { methodBindings } from './method-bindings.js';
import { CheckedMessageReader, createWriter, type Framing, type RejectedInput } from './message-stream.js';
import { Dispatch } from './dispatch.js';
import { afterDrain } from './drain.js';
import { Lifecycle } from './lifecycle.js';
import { lifecycleRequests } from './lifecycle-requests.js';
import { Outgoing } from './outgoing.js';
import { ParentWatch } from './parent-watch.js';
import { validateParams } from './validate.js';

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

/**
 * Binds the protocol to `KubebridgeServer` over one stream pair: the wire, then the
 * lifecycle (lifecycle.ts), what the server sends unasked (outgoing.ts), the parents it
 * outlives not (parent-watch.ts), dispatch to the method table (dispatch.ts) and the last
 * answers when the input ends (drain.ts). The operations live in the server.
 */
export function serve(options: ServeOptions): RunningServer {
	const { logger } = options;
	const server = new KubebridgeServer(logger, options.cluster, options.makeClusterAccess, options.agent);
	const writer = createWriter(options.output, options.framing);
	const rejectInput = (rejected: RejectedInput): void => {
		logger.warning('rpc', `rejected input: ${rejected.message}`, { reason: rejected.reason });
		if (!rejected.respond) return;
		const response = { jsonrpc: '2.0', id: rejected.id, error: { code: rejected.code, message: rejected.message, data: { reason: rejected.reason } } };
		writer.write(response as unknown as Message).catch(() => undefined);
	};
	const reader = new CheckedMessageReader(options.input, options.framing, rejectInput, options.maxMessageBytes);
	const connection = createMessageConnection(reader, writer, {
		error: (message) => logger.error('rpc', message),
		warn: (message) => logger.warning('rpc', message),
		info: (message) => logger.info('rpc', message),
		log: (message) => logger.debug('rpc', message),
	});

	const parents = new ParentWatch((why) => lifecycle.finish(1, why));
	const lifecycle = new Lifecycle((code, why) => {
		logger.info('server', `exiting with code ${code}: ${why}`);
		parents.stop();
		// Whatever ends the server, the cluster is put back before the process goes.
		return server.shutdown().catch((error: Error) => logger.error('server', 'restoring on exit failed', { error: error.message }))
			.finally(detachLog);
	});
	const outgoing = new Outgoing(connection, logger, lifecycle);
	const detachLog = logger.attach(outgoing.forwardLog);
	server.onSessionEvent(outgoing.sessionEvent);
	if (options.clientProcessId) parents.watch(options.clientProcessId);

	const dispatch = new Dispatch(connection, lifecycle, logger, outgoing.scrub,
		new Map([...lifecycleRequests(lifecycle, server, outgoing, parents, logger), ...methodBindings(server)]),
		new Map<string, (params: unknown) => void>([
			[InitializedNotification.method, () => undefined],
			[SetTraceNotification.method, (raw) => {
				try {
					lifecycle.trace = validateParams(SetTraceNotification.paramsSchema, raw).value;
				} catch (error) {
					logger.warning('rpc', `ignored ${SetTraceNotification.method}: ${(error as Error).message}`);
				}
			}],
		]));
	dispatch.listen();
	connection.onClose(() => afterDrain(dispatch, () => lifecycle.finish(lifecycle.exitCode, 'input closed')));
	connection.onError(([error]) => logger.warning('rpc', `connection error: ${error.message}`));
	connection.listen();
	logger.info('server', 'serving', { framing: options.framing, version: KUBEBRIDGE_VERSION, pid: process.pid });
	return {
		exited: lifecycle.exited,
		connection,
		stop: (why) => lifecycle.finish(1, why),
		requests: [...dispatch.requests.keys()],
		// `$/cancelRequest` is handled inside the wire library, which hands handlers a token.
		notifications: [...dispatch.notifications.keys(), ExitNotification.method, CancelRequestNotification.method],
	};
}
