import type { Duplex } from 'node:stream';
import WebSocket from 'ws';

/** How to reach the API server: its address and the TLS/auth options of the kubeconfig. */
export interface ApiEndpoint {
	server: string;
	options(): Promise<WebSocket.ClientOptions>;
}

/**
 * Inside TLS the client's frame mask protects nothing: it exists against proxies that read
 * plain HTTP (RFC 6455 §10.3), and no one between here and the API server can read these
 * frames. An all-zero mask lets `ws` send each message as it is, instead of XOR-ing it
 * byte by byte into a copy. Plain `ws:` keeps random masks.
 */
const zeroMask = (mask: Buffer): void => { mask.fill(0); };

/**
 * The WebSocket of a `pods/portforward` request (`path` from /api on), once the API
 * server took `subprotocol`, handed to `wrap` the moment it opens: the kubelet's first
 * messages can come in the same read as the handshake's answer, before a later listener.
 * `wrap` also gets the connection under it, for a writer that corks several messages into
 * one write.
 */
export async function openPortForwardSocket<T>(endpoint: ApiEndpoint, path: string, subprotocol: string, wrap: (ws: WebSocket, connection: Duplex) => T,
	signal?: AbortSignal): Promise<T> {
	const url = `${endpoint.server.replace(/^http/, 'ws').replace(/\/+$/, '')}${path}`;
	const options = await endpoint.options();
	// `ws` takes only RFC 7230 tokens as subprotocols, and SPDY's tunnel name has a '/': the
	// header is sent as it is and the answer checked here, out of `ws`'s sight.
	const ws = new WebSocket(url, [], {
		...options, headers: { ...options.headers, 'Sec-WebSocket-Protocol': subprotocol },
		perMessageDeflate: false, handshakeTimeout: 10_000,
		...(url.startsWith('wss:') ? { generateMask: zeroMask } : {}),
	});
	let connection: Duplex | null = null;
	return new Promise((resolve, reject) => {
		const abort = (): void => ws.terminate();
		signal?.addEventListener('abort', abort, { once: true });
		ws.once('upgrade', (res) => {
			connection = res.socket;
			const taken = res.headers['sec-websocket-protocol'];
			delete res.headers['sec-websocket-protocol'];
			if (taken === subprotocol) return;
			ws.terminate();
			reject(new ForwardRefused(res.statusCode ?? 101, `the API server answered with subprotocol "${taken ?? ''}", not "${subprotocol}"`));
		});
		ws.once('open', () => {
			signal?.removeEventListener('abort', abort);
			ws.removeAllListeners('error');
			resolve(wrap(ws, connection!));
		});
		ws.once('unexpected-response', (_req, res) => {
			let body = '';
			res.on('data', (chunk: Buffer) => { body += chunk.toString('utf8'); });
			res.on('end', () => reject(new ForwardRefused(res.statusCode ?? 0, body)));
		});
		ws.once('error', (error) => reject(error));
	});
}

/** The API server refused the forward: no permission, pod gone, or not running, or it does not speak the subprotocol asked for. */
export class ForwardRefused extends Error {
	constructor(readonly status: number, readonly body: string) {
		let message = body;
		try { message = (JSON.parse(body) as { message?: string }).message ?? body; } catch { /* plain text */ }
		super(`port-forward refused (${status}): ${message}`);
	}
}
