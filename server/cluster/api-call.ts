import { Observable, type ConfigurationOptions, type RequestContext, type ResponseContext } from '@kubernetes/client-node';
import { requestCancelled } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { callerSignal } from './call-scope.js';
import { clusterTimeout, toClusterError, type CallTarget } from './api-errors.js';
import type { LoadedKubeConfig } from './kube-config.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

/**
 * Runs one API call with a deadline, so a server that accepts connections but never
 * answers fails in seconds rather than after the OS gives up. The deadline, and the
 * cancellation of the request the call is made for (call-scope.ts), abort the HTTP request
 * itself, so nothing is left waiting on the dead connection. Failures come
 * back as typed errors that name the context and what was being done.
 */
export async function callApi<T>(
	loaded: LoadedKubeConfig, logger: Logger, timeoutMs: number, action: string,
	run: (options: ConfigurationOptions) => Promise<T>,
): Promise<T> {
	const target: CallTarget = { context: loaded.context, server: loaded.server, action, authPlugin: loaded.authPlugin };
	const deadline = AbortSignal.timeout(timeoutMs);
	const cancelled = callerSignal();
	const signal = cancelled ? AbortSignal.any([deadline, cancelled]) : deadline;
	// The object-style API runs observable middleware, whatever its declared type says.
	const options = {
		middleware: [{
			pre: (request: RequestContext) => {
				request.setSignal(signal);
				return new Observable(Promise.resolve(request));
			},
			post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
		}],
		middlewareMergeStrategy: 'append',
	} as unknown as ConfigurationOptions;
	const started = Date.now();
	try {
		const result = await run(options);
		logger.debug('cluster', action, { ms: Date.now() - started });
		return result;
	} catch (error) {
		if (cancelled?.aborted) {
			logger.info('cluster', `${action}: dropped, the request was cancelled`, { ms: Date.now() - started });
			throw requestCancelled();
		}
		const mapped = deadline.aborted ? clusterTimeout(target, timeoutMs) : toClusterError(error, target);
		logger.warning('cluster', mapped.message, { reason: mapped.reason, ms: Date.now() - started });
		throw mapped;
	}
}
