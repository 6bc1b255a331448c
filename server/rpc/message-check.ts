import type { Message } from 'vscode-jsonrpc';
import { CancelRequestNotification, ErrorCodes, type ErrorReason } from '../../protocol/index.js';

export type RequestId = string | number | null;

/**
 * A checked message: handed on, answered with an error (`respond`), or, for a notification
 * (which JSON-RPC never answers), dropped with only a log line.
 */
export type CheckedMessage =
	| { ok: true; message: Message }
	| { ok: false; respond: boolean; id: RequestId; code: number; reason: ErrorReason; message: string };

const isId = (id: unknown): id is string | number => typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id));

const CANCEL_REQUEST = CancelRequestNotification.method;

/**
 * vscode-jsonrpc reads `params.id` of every `$/cancelRequest` while queueing it and throws
 * when there is none (or it is null, or has no usable `toString`); that throw unwound the
 * reader and lost the messages read in the same chunk. Only a usable id may reach it.
 */
const isUsableCancel = (params: unknown): boolean =>
	typeof params === 'object' && params !== null && !Array.isArray(params) && isId((params as { id?: unknown }).id);

/**
 * Decides whether a parsed JSON value is a JSON-RPC 2.0 message kubebridge accepts. The
 * wire library would silently drop the rest; here each gets an `InvalidRequest` answer,
 * addressed to the request's id when it has a usable one.
 */
export function checkMessage(value: unknown): CheckedMessage {
	const invalid = (id: RequestId, message: string, reason: ErrorReason = 'invalidRequest'): CheckedMessage =>
		({ ok: false, respond: true, id, code: ErrorCodes.InvalidRequest, reason, message });
	if (Array.isArray(value)) {
		return invalid(null, value.length === 0 ? 'An empty batch is not a request.' : 'Batches are not supported; send one message at a time.',
			value.length === 0 ? 'invalidRequest' : 'batchNotSupported');
	}
	if (typeof value !== 'object' || value === null) return invalid(null, 'A message must be a JSON object.');
	const m = value as Record<string, unknown>;
	const id: RequestId = isId(m.id) ? m.id : null;
	if (m.jsonrpc !== '2.0') return invalid(id, "The 'jsonrpc' member must be \"2.0\".");
	if ('method' in m) {
		if (typeof m.method !== 'string' || m.method.length === 0) return invalid(id, "The 'method' member must be a non-empty string.");
		if ('id' in m && !isId(m.id)) return invalid(null, "The 'id' member must be a string or an integer.");
		// `null` says no more than an absent member (Neovim's client sends it for methods without params).
		const { params, ...rest } = m;
		if (params === null) return checkMessage(rest);
		const isRequest = 'id' in m;
		const badParams = (message: string): CheckedMessage =>
			({ ok: false, respond: isRequest, id, code: ErrorCodes.InvalidParams, reason: 'invalidParams', message });
		if ('params' in m && typeof params !== 'object') {
			return badParams(isRequest ? "The 'params' member must be an object or an array."
				: `Ignored a '${m.method}' notification whose 'params' member is not an object or an array.`);
		}
		if (m.method === CANCEL_REQUEST && !isRequest && !isUsableCancel(params)) {
			return badParams(`Ignored a '${CANCEL_REQUEST}' whose params carry no 'id' that is a string or an integer; nothing was cancelled.`);
		}
		return { ok: true, message: m as unknown as Message };
	}
	if ('id' in m && ('result' in m || 'error' in m)) return { ok: true, message: m as unknown as Message };
	return invalid(id, 'The message is neither a request, a notification nor a response.');
}
