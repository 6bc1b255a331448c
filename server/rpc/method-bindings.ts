import type { Static, TSchema } from '@sinclair/typebox';
import type { CancellationToken } from 'vscode-jsonrpc/node';
import {
	ConfigRequest, ConnectRequest, ContextsRequest, DiagnosticsRequest, DisconnectRequest, EnvironmentRequest, ExportRequest, NamespacesRequest, RestoreRequest,
	ServicesRequest, SessionStatusRequest, type WorkDoneProgressParams,
} from '../../protocol/index.js';
import { abortingCallsOn } from '../cluster/call-scope.js';
import type { KubebridgeServer } from '../kubebridge-server.js';
import type { Work } from '../work.js';

export interface RequestBinding {
	/** Absent for methods that take no params. */
	schema?: TSchema;
	/** Whether the request may run before `initialize` (only `initialize` itself). */
	beforeInitialize?: boolean;
	handle(params: unknown, token: CancellationToken): unknown;
}

type WorkFor = (params: WorkDoneProgressParams, token: CancellationToken) => Work;

/** One row per method: its params schema and the server operation it runs. */
function bind<S extends TSchema>(declaration: { method: string; paramsSchema: S }, handle: (params: Static<S>, token: CancellationToken) => unknown): [string, RequestBinding] {
	return [declaration.method, { schema: declaration.paramsSchema, handle: handle as RequestBinding['handle'] }];
}

/** The request's cancellation as an AbortSignal, for operations whose cluster calls may simply be dropped. */
function abortSignalOf(token: CancellationToken): AbortSignal {
	const controller = new AbortController();
	if (token.isCancellationRequested) controller.abort();
	else token.onCancellationRequested(() => controller.abort());
	return controller.signal;
}

/** Every request of kubebridge's own methods, bound to the server's operations in one place. */
export function methodBindings(server: KubebridgeServer, work: WorkFor): [string, RequestBinding][] {
	return [
		bind(ConfigRequest, () => server.config()),
		bind(ContextsRequest, () => server.contexts()),
		// Reads only: a cancel drops their API calls at once. Connect, the other cancellable
		// request, stops between steps instead, because putting things back needs its calls.
		bind(NamespacesRequest, (p, t) => abortingCallsOn(abortSignalOf(t), () => server.namespaces(p, work(p, t)))),
		bind(ServicesRequest, (p, t) => abortingCallsOn(abortSignalOf(t), () => server.services(p, work(p, t)))),
		bind(ConnectRequest, (p, t) => server.connect(p, work(p, t))),
		bind(DisconnectRequest, (p, t) => server.disconnect(work(p, t))),
		bind(SessionStatusRequest, () => server.sessionStatus()),
		bind(RestoreRequest, (p, t) => server.restoreLeftovers(p, work(p, t))),
		bind(EnvironmentRequest, (p, t) => server.environment(p, work(p, t))),
		bind(ExportRequest, (p, t) => server.exportEnvironment(p, work(p, t))),
		bind(DiagnosticsRequest, (p, t) => server.diagnostics(p, work(p, t))),
	];
}
