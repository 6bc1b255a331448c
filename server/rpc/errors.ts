import { ResponseError } from 'vscode-jsonrpc';
import { ErrorCodes, type ErrorData } from '../../protocol/index.js';
import { KubebridgeError } from '../errors.js';

/** Errors of the protocol itself: they never come from the logic. */
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

/** The error as a JSON-RPC error; its text passes through `scrub`, so no secret value is sent. */
export function toResponseError(error: KubebridgeError, scrub: (text: string) => string): ResponseError<ErrorData> {
	const data = Object.fromEntries(Object.entries(error.data).map(([key, value]) => [key, typeof value === 'string' ? scrub(value) : value])) as ErrorData;
	return new ResponseError(error.code, scrub(error.message), data);
}
