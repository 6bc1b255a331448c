import type { Static, TSchema } from '@sinclair/typebox';
import type { CancellationToken } from 'vscode-jsonrpc/node';
import {
	ConfigRequest, ConnectRequest, ContextsRequest, DiagnosticsRequest, DisconnectRequest, EnvironmentRequest, ExportRequest, NamespacesRequest, RestoreRequest,
	ServicesRequest, SessionStatusRequest, type RequestTraits,
} from '../../protocol/index.js';
import { abortingCallsOn } from '../cluster/call-scope.js';
import type { KubebridgeServer } from '../kubebridge-server.js';
import type { Work } from '../work.js';

export interface RequestBinding {
	/** Absent for methods that take no params. */
	schema?: TSchema;
	/** What the method's declaration states: its progress says whether a cancel is honoured. */
	traits: RequestTraits;
	/** Whether the request may run before `initialize` (only `initialize` itself). */
	beforeInitialize?: boolean;
	/** `work` reports to the request's `workDoneToken` and carries its cancellation. */
	handle(params: unknown, work: Work, token: CancellationToken): unknown;
}

interface Declaration<S extends TSchema> {
	method: string;
	paramsSchema: S;
	traits: RequestTraits;
}

/** One row per method: its declaration (params schema, traits) and the server operation it runs. */
function bind<S extends TSchema>(declaration: Declaration<S>, handle: (params: Static<S>, work: Work, token: CancellationToken) => unknown): [string, RequestBinding] {
	return [declaration.method, { schema: declaration.paramsSchema, traits: declaration.traits, handle: handle as RequestBinding['handle'] }];
}

/** The request's cancellation as an AbortSignal, for operations whose cluster calls may simply be dropped. */
function abortSignalOf(token: CancellationToken): AbortSignal {
	const controller = new AbortController();
	if (token.isCancellationRequested) controller.abort();
	else token.onCancellationRequested(() => controller.abort());
	return controller.signal;
}

/** Every request of kubebridge's own methods, bound to the server's operations in one place. */
export function methodBindings(server: KubebridgeServer): [string, RequestBinding][] {
	return [
		bind(ConfigRequest, () => server.config()),
		bind(ContextsRequest, () => server.contexts()),
		// Reads only: a cancel drops their API calls at once. Connect, the other cancellable
		// request, stops between steps instead, because putting things back needs its calls.
		bind(NamespacesRequest, (p, w, t) => abortingCallsOn(abortSignalOf(t), () => server.namespaces(p, w))),
		bind(ServicesRequest, (p, w, t) => abortingCallsOn(abortSignalOf(t), () => server.services(p, w))),
		bind(ConnectRequest, (p, w) => server.connect(p, w)),
		bind(DisconnectRequest, (_p, w) => server.disconnect(w)),
		bind(SessionStatusRequest, () => server.sessionStatus()),
		bind(RestoreRequest, (p, w) => server.restoreLeftovers(p, w)),
		bind(EnvironmentRequest, (p, w) => server.environment(p, w)),
		bind(ExportRequest, (p, w) => server.exportEnvironment(p, w)),
		bind(DiagnosticsRequest, (p, w) => server.diagnostics(p, w)),
	];
}
