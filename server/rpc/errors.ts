import { ResponseError } from 'vscode-jsonrpc';
import { ErrorCodes, type ErrorData, type ErrorReason } from '../../protocol/index.js';

/**
 * An error kubebridge means to report: a protocol code, a stable reason and a message that
 * says what happened and what to do next. Anything else thrown is a bug and becomes
 * `internalError`.
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

	toResponseError(): ResponseError<ErrorData> {
		return new ResponseError(this.code, this.message, this.data);
	}
}

export const invalidParams = (path: string, message: string): KubebridgeError =>
	new KubebridgeError(ErrorCodes.InvalidParams, { reason: 'invalidParams', path }, message);

export const methodNotFound = (method: string): KubebridgeError =>
	new KubebridgeError(ErrorCodes.MethodNotFound, { reason: 'methodNotFound' }, `Unknown method '${method}'.`);

export const serverNotInitialized = (method: string): KubebridgeError =>
	new KubebridgeError(ErrorCodes.ServerNotInitialized, { reason: 'serverNotInitialized', hint: "Send 'initialize' first." },
		`'${method}' was sent before 'initialize'.`);

export const alreadyInitialized = (): KubebridgeError =>
	new KubebridgeError(ErrorCodes.InvalidRequest, { reason: 'alreadyInitialized' }, "'initialize' may be sent only once.");

export const shutdownRequested = (method: string): KubebridgeError =>
	new KubebridgeError(ErrorCodes.InvalidRequest, { reason: 'shutdownRequested', hint: "Only 'exit' is accepted after 'shutdown'." },
		`'${method}' was sent after 'shutdown'.`);

export const requestCancelled = (): KubebridgeError =>
	new KubebridgeError(ErrorCodes.RequestCancelled, { reason: 'requestCancelled' }, 'The request was cancelled.');

export const internalError = (error: unknown): KubebridgeError =>
	new KubebridgeError(ErrorCodes.InternalError, { reason: 'internalError', hint: 'This is a bug in kubebridge; the log file has details.' },
		`Internal error: ${error instanceof Error ? error.message : String(error)}`);

export function asKubebridgeError(error: unknown): KubebridgeError {
	return error instanceof KubebridgeError ? error : internalError(error);
}
