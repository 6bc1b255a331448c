import type { CancellationToken } from 'vscode-jsonrpc/node';
import {
	ConfigRequest, ConnectRequest, ContextsRequest, DiagnosticsRequest, DisconnectRequest, EnvironmentRequest, ExportRequest, NamespacesRequest, RestoreRequest,
	ServicesRequest, SessionStatusRequest,
	type ConnectParams, type DiagnosticsParams, type EnvironmentParams, type ExportParams, type NamespacesParams, type ObjectSchema, type RestoreParams, type ServicesParams, type WorkDoneProgressParams,
} from '../../protocol/index.js';
import type { KubebridgeServer } from '../kubebridge-server.js';
import type { Work } from '../work.js';

export interface RequestBinding {
	/** Absent for methods that take no params. */
	schema?: ObjectSchema<unknown>;
	/** Whether the request may run before `initialize` (only `initialize` itself). */
	beforeInitialize?: boolean;
	handle(params: unknown, token: CancellationToken): unknown;
}

type WorkFor = (params: WorkDoneProgressParams, token: CancellationToken) => Work;

/** One row per method: its params schema and the server operation it runs. */
function bind<P>(declaration: { method: string; paramsSchema: ObjectSchema<P> }, handle: (params: P, token: CancellationToken) => unknown): [string, RequestBinding] {
	return [declaration.method, { schema: declaration.paramsSchema as ObjectSchema<unknown>, handle: handle as RequestBinding['handle'] }];
}

/** Every request of kubebridge's own methods, bound to the server's operations in one place. */
export function methodBindings(server: KubebridgeServer, work: WorkFor): [string, RequestBinding][] {
	return [
		bind(ConfigRequest, () => server.config()),
		bind(ContextsRequest, () => server.contexts()),
		bind(NamespacesRequest, (p: NamespacesParams, t) => server.namespaces(p, work(p, t))),
		bind(ServicesRequest, (p: ServicesParams, t) => server.services(p, work(p, t))),
		bind(ConnectRequest, (p: ConnectParams, t) => server.connect(p, work(p, t))),
		bind(DisconnectRequest, (p: WorkDoneProgressParams, t) => server.disconnect(work(p, t))),
		bind(SessionStatusRequest, () => server.sessionStatus()),
		bind(RestoreRequest, (p: RestoreParams, t) => server.restoreLeftovers(p, work(p, t))),
		bind(EnvironmentRequest, (p: EnvironmentParams, t) => server.environment(p, work(p, t))),
		bind(ExportRequest, (p: ExportParams, t) => server.exportEnvironment(p, work(p, t))),
		bind(DiagnosticsRequest, (p: DiagnosticsParams, t) => server.diagnostics(p, work(p, t))),
	];
}
