import { InitializeRequest, ShutdownRequest, type InitializeParams, type InitializeResult } from '../../protocol/index.js';
import { SERVER_CAPABILITIES, type KubebridgeServer } from '../kubebridge-server.js';
import type { Logger } from '../log/logger.js';
import { KUBEBRIDGE_VERSION } from '../version.js';
import { alreadyInitialized } from './errors.js';
import type { Lifecycle } from './lifecycle.js';
import type { RequestBinding } from './method-bindings.js';
import type { Outgoing } from './outgoing.js';
import type { ParentWatch } from './parent-watch.js';

/** `initialize` and `shutdown`: the requests that move the lifecycle rather than run an operation. */
export function lifecycleRequests(lifecycle: Lifecycle, server: KubebridgeServer, outgoing: Outgoing, parents: ParentWatch,
	logger: Logger): [string, RequestBinding][] {
	return [
		[InitializeRequest.method, {
			schema: InitializeRequest.paramsSchema,
			traits: InitializeRequest.traits,
			beforeInitialize: true,
			handle: (raw): InitializeResult => {
				if (lifecycle.state !== 'uninitialized') throw alreadyInitialized();
				const params = raw as InitializeParams;
				lifecycle.capabilities = params.capabilities;
				server.onConfirmFreePort(params.capabilities.supportsPortConfirmation ? outgoing.askToFreePort : null);
				lifecycle.trace = params.trace ?? 'off';
				if (params.processId && params.processId !== process.pid) parents.watch(params.processId);
				server.initialize(params);
				lifecycle.state = 'running';
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
				lifecycle.state = 'shutdown';
				await server.shutdown();
				return null;
			},
		}],
	];
}
