import type { CancellationToken, MessageConnection, ResponseError } from 'vscode-jsonrpc/node';
import { ExitNotification, type WorkDoneProgressParams } from '../../protocol/index.js';
import { asKubebridgeError, requestCancelled } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Work } from '../work.js';
import { methodNotFound, toResponseError } from './errors.js';
import type { Lifecycle } from './lifecycle.js';
import type { RequestBinding } from './method-bindings.js';
import { progressFor } from './progress-reporter.js';
import { validateNoParams, validateParams } from './validate.js';

/**
 * Hands each incoming message to its binding: the lifecycle's rules first, then params
 * validation, progress and cancellation, and every failure as a typed JSON-RPC error.
 * Counts what it handles, so the end of input can wait for the last answer.
 */
export class Dispatch {
	inFlight = 0;
	dispatched = 0;

	constructor(
		private readonly connection: MessageConnection,
		private readonly lifecycle: Lifecycle,
		private readonly logger: Logger,
		private readonly scrub: (text: string) => string,
		readonly requests: ReadonlyMap<string, RequestBinding>,
		readonly notifications: ReadonlyMap<string, (params: unknown) => void>,
	) {}

	listen(): void {
		this.connection.onRequest((method: string, params: unknown, token: CancellationToken) => this.#request(method, params, token));
		this.connection.onNotification((method: string, params: unknown) => this.#notification(method, params));
	}

	async #request(method: string, rawParams: unknown, token: CancellationToken): Promise<unknown> {
		const started = Date.now();
		this.inFlight++;
		this.dispatched++;
		try {
			const binding = this.requests.get(method);
			this.lifecycle.admit(method, binding?.beforeInitialize ?? false);
			if (!binding) throw methodNotFound(method);
			let params: unknown;
			if (binding.schema) params = validateParams(binding.schema, rawParams);
			else validateNoParams(rawParams);
			const { workDoneToken } = (params ?? {}) as WorkDoneProgressParams;
			const work: Work = { progress: progressFor(this.connection, workDoneToken, binding.traits, this.scrub), cancellation: token };
			const result = await binding.handle(params, work, token);
			if (token.isCancellationRequested) throw requestCancelled();
			this.logger.debug('rpc', `${method} answered`, { ms: Date.now() - started });
			return result;
		} catch (error) {
			const typed = asKubebridgeError(error);
			if (typed.reason === 'internalError') this.logger.error('rpc', `${method} failed`, { error: String((error as Error)?.stack ?? error) });
			else this.logger.info('rpc', `${method} failed: ${typed.message}`, { reason: typed.reason });
			// A cancelled request that did not finish is answered as cancelled (the spec's rule),
			// also when what was under way (a cluster call) failed on its own afterwards.
			return toResponseError(token.isCancellationRequested ? requestCancelled() : typed, this.scrub) as ResponseError<unknown>;
		} finally {
			this.inFlight--;
		}
	}

	#notification(method: string, rawParams: unknown): void {
		this.dispatched++;
		if (method === ExitNotification.method) {
			this.lifecycle.finish(this.lifecycle.exitCode, 'exit notification');
			return;
		}
		// Before `initialize` and after `shutdown`, notifications other than `exit` are dropped.
		if (this.lifecycle.state !== 'running') return;
		const handle = this.notifications.get(method);
		if (handle) handle(rawParams);
		else this.logger.debug('rpc', `ignored notification ${method}`);
	}
}
