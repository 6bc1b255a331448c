import { ErrorCodes, type ErrorData, type ErrorReason } from '../protocol/index.js';

/**
 * An error kubebridge means to report: a protocol code, a stable reason and a message that
 * says what happened and what to do next. The logic throws it; the connection turns it
 * into a JSON-RPC error. Anything else thrown is a bug and becomes `internalError`.
 */
export class KubebridgeError extends Error {
	constructor(
		readonly code: number,
		readonly data: ErrorData,
		message: string,
	) {
		super(message);
		this.name = 'KubebridgeError';
	}

	get reason(): ErrorReason {
		return this.data.reason;
	}
}

export const requestCancelled = (): KubebridgeError =>
	new KubebridgeError(ErrorCodes.RequestCancelled, { reason: 'requestCancelled' }, 'The request was cancelled.');

export const internalError = (error: unknown): KubebridgeError =>
	new KubebridgeError(ErrorCodes.InternalError, { reason: 'internalError', hint: 'This is a bug in kubebridge; the log file has details.' },
		`Internal error: ${error instanceof Error ? error.message : String(error)}`);

export function asKubebridgeError(error: unknown): KubebridgeError {
	return error instanceof KubebridgeError ? error : internalError(error);
}
