import { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
import { ErrorCodes } from '../../protocol/index.js';
import { KubebridgeError } from '../errors.js';

/** Which cluster a failed call went to, for the error's data and hint. */
export interface CallTarget {
	context: string;
	server: string | null;
	/** What was being done, e.g. "list services in kb-demo". */
	action: string;
	/** The kubeconfig user's credential plugin (exec command or auth provider), if any. */
	authPlugin: string | null;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE',
	'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TLS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|SSL|EPROTO/;

/** The innermost system error code of a network failure (fetch wraps them in `cause`). */
function networkCode(error: unknown): string | null {
	for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
		const code = (e as { code?: unknown }).code;
		if (typeof code === 'string') return code;
	}
	return null;
}

function apiMessage(body: unknown): string | null {
	const text = typeof body === 'string' ? body : JSON.stringify(body ?? null);
	try {
		const parsed = JSON.parse(text) as { message?: unknown };
		return typeof parsed.message === 'string' ? parsed.message : null;
	} catch {
		return null;
	}
}

/** Turns whatever a client-node call threw into a typed, explained error. */
export function toClusterError(error: unknown, target: CallTarget): KubebridgeError {
	if (error instanceof KubebridgeError) return error;
	const where = { context: target.context, ...(target.server ? { server: target.server } : {}) };
	const serverText = target.server ?? 'the API server';
	if (error instanceof ApiException) {
		const status = error.code;
		const detail = apiMessage(error.body) ?? error.message;
		if (status === 401) {
			return new KubebridgeError(ErrorCodes.ClusterUnauthorized, { reason: 'unauthorized', status, ...where,
				hint: `The credentials of context '${target.context}' were rejected; renew them (log in again) and retry.` },
			`Cannot ${target.action}: ${serverText} did not accept the credentials.`);
		}
		if (status === 403) {
			return new KubebridgeError(ErrorCodes.ClusterForbidden, { reason: 'forbidden', status, ...where,
				hint: 'Ask a cluster admin for the permission named above, or use another context.' },
			`Cannot ${target.action}: forbidden. ${detail}`);
		}
		if (status === 404) {
			return new KubebridgeError(ErrorCodes.ClusterNotFound, { reason: 'resourceNotFound', status, ...where },
				`Cannot ${target.action}: not found. ${detail}`);
		}
		return new KubebridgeError(ErrorCodes.ClusterRequestFailed, { reason: 'clusterRequestFailed', status, ...where },
			`Cannot ${target.action}: the API server answered ${status}. ${detail}`);
	}
	const code = networkCode(error);
	const message = error instanceof Error ? error.message : String(error);
	if (code && TLS.test(code)) {
		return new KubebridgeError(ErrorCodes.ClusterUnreachable, { reason: 'tlsVerificationFailed', ...where,
			hint: "The server's certificate does not match the kubeconfig's certificate authority." },
		`Cannot ${target.action}: TLS verification of ${serverText} failed (${code}).`);
	}
	if ((code && UNREACHABLE.has(code)) || /fetch failed|socket hang up|connect/i.test(message)) {
		return new KubebridgeError(ErrorCodes.ClusterUnreachable, { reason: 'clusterUnreachable', ...where,
			hint: `Check that the cluster of context '${target.context}' is running and reachable from this machine.` },
		`Cannot ${target.action}: ${serverText} is unreachable${code ? ` (${code})` : ''}.`);
	}
	// A credential plugin's failure is a plain Error carrying its stderr, raised before any
	// request is sent: with a plugin configured and no network cause, it is the plugin.
	if (target.authPlugin && !code) {
		return new KubebridgeError(ErrorCodes.ClusterUnauthorized, { reason: 'authPluginFailed', ...where,
			hint: `Run '${target.authPlugin}' by hand (it may need you to log in again).` },
		`Cannot ${target.action}: the credential plugin '${target.authPlugin}' failed: ${message.trim()}`);
	}
	return new KubebridgeError(ErrorCodes.ClusterRequestFailed, { reason: 'clusterRequestFailed', ...where },
		`Cannot ${target.action}: ${message}`);
}

export function clusterTimeout(target: CallTarget, ms: number): KubebridgeError {
	return new KubebridgeError(ErrorCodes.ClusterUnreachable, {
		reason: 'clusterTimeout', context: target.context, ...(target.server ? { server: target.server } : {}),
		hint: `Check that the cluster of context '${target.context}' is running; the timeout is set by requestTimeoutMs.`,
	}, `Cannot ${target.action}: ${target.server ?? 'the API server'} did not answer within ${ms} ms.`);
}
