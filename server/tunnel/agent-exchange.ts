import { Agent, request, type ClientRequest, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { TUNNEL_UPGRADE, type AgentEvent } from '../../agent/src/contract/contract.js';
import { openForward, type ApiEndpoint } from '../cluster/port-forward.js';
import type { Forwarder } from '../cluster/pod-streams.js';

/** Where one agent's control endpoint is, and the token it wants. */
export interface AgentAddress {
	namespace: string;
	pod: string;
	controlPort: number;
	token: string;
}

/** A tunnel the agent switched to: raw chunked bytes from here on. */
export interface Tunnel {
	socket: Duplex;
	/** Tunnel bytes that arrived with the 101. */
	head: Buffer;
	headers: IncomingMessage['headers'];
}

/** The agent answered with an error status. */
export class AgentRefused extends Error {
	constructor(readonly status: number, text: string) {
		super(`the agent answered ${status}${text ? `: ${text}` : ''}`);
	}
}

/** `via`: a forward of the request's own, or an HTTP agent that keeps one open between requests. */
function agentRequest(via: Duplex | Agent, agent: AgentAddress, path: string, upgrade: boolean, method = 'GET') {
	return request({
		method, path, host: 'agent', ...(via instanceof Agent ? { agent: via } : { createConnection: () => via as never }),
		headers: { authorization: `Bearer ${agent.token}`, ...(upgrade ? { connection: 'Upgrade', upgrade: TUNNEL_UPGRADE } : {}) },
	});
}

function refusal(response: IncomingMessage): Promise<AgentRefused> {
	return new Promise((resolve) => {
		let text = '';
		response.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
		response.on('end', () => resolve(new AgentRefused(response.statusCode ?? 0, text.slice(0, 300))));
		response.on('error', () => resolve(new AgentRefused(response.statusCode ?? 0, text.slice(0, 300))));
	});
}

/**
 * Opens a tunnel over a connection of its own from `forwarder`: an HTTP upgrade the agent
 * answers with 101 when it has a connection for it (a caller on `accept`, the dialled host
 * on `dial`).
 */
export async function openTunnel(forwarder: Forwarder, agent: AgentAddress, path: string, signal?: AbortSignal): Promise<Tunnel> {
	const forward = await forwarder.open({ namespace: agent.namespace, pod: agent.pod, port: agent.controlPort }, signal);
	return tunnelOver(forward, agent, path, signal);
}

/** The upgrade of `openTunnel` over a forward already open to the agent's control port. */
export function tunnelOver(forward: Duplex, agent: AgentAddress, path: string, signal?: AbortSignal): Promise<Tunnel> {
	return new Promise((resolve, reject) => {
		const req = agentRequest(forward, agent, path, true);
		const abort = (): void => { req.destroy(new Error('aborted')); forward.destroy(); };
		signal?.addEventListener('abort', abort, { once: true });
		req.on('upgrade', (response: IncomingMessage, socket: Duplex, head: Buffer) => {
			signal?.removeEventListener('abort', abort);
			resolve({ socket, head, headers: response.headers });
		});
		req.on('response', (response) => {
			signal?.removeEventListener('abort', abort);
			void refusal(response).then((error) => { forward.destroy(); reject(error); });
		});
		req.on('error', (error) => { forward.destroy(); reject(error); });
		req.end();
	});
}

/** A request to the agent over a forward of its own (a GET unless `method` says otherwise); the response streams. */
export async function openRequest(endpoint: ApiEndpoint, agent: AgentAddress, path: string, signal?: AbortSignal, method = 'GET'): Promise<IncomingMessage> {
	const forward = await openForward(endpoint, { namespace: agent.namespace, pod: agent.pod, port: agent.controlPort }, signal);
	return answerOf(agentRequest(forward, agent, path, false, method), signal, () => forward.destroy());
}

/** A GET to the agent over the forward `kept` holds open; the response streams, and the forward outlives it. */
export function requestOver(kept: Agent, agent: AgentAddress, path: string, signal?: AbortSignal): Promise<IncomingMessage> {
	return answerOf(agentRequest(kept, agent, path, false), signal, () => undefined);
}

/** The response of `req` when it is a 200, else the agent's refusal; `drop` is what a failure leaves of the forward. */
function answerOf(req: ClientRequest, signal: AbortSignal | undefined, drop: () => void): Promise<IncomingMessage> {
	return new Promise((resolve, reject) => {
		const abort = (): void => { req.destroy(new Error('aborted')); };
		signal?.addEventListener('abort', abort, { once: true });
		req.on('response', (response) => {
			signal?.removeEventListener('abort', abort);
			if (response.statusCode === 200) {
				resolve(response);
				return;
			}
			void refusal(response).then((error) => { drop(); reject(error); });
		});
		req.on('error', (error) => { drop(); reject(error); });
		req.end();
	});
}

/** A response's whole body, refused past `limit` bytes or when the agent's connection ends early. */
export function readBody(response: IncomingMessage, limit: number): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		response.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > limit) response.destroy(new Error(`the agent sent more than ${limit} bytes`));
			else chunks.push(chunk);
		});
		response.on('end', () => resolve(Buffer.concat(chunks)));
		response.on('error', reject);
		response.on('close', () => { if (!response.complete) reject(new Error('the agent connection closed early')); });
	});
}

/** An answer to a POST of the sidecar's is a line of JSON. */
const POST_ANSWER_BYTES = 64 * 1024;

/** A POST to the agent over a forward of its own, closed once answered; resolves with the body. */
export async function postToAgent(endpoint: ApiEndpoint, agent: AgentAddress, path: string, signal?: AbortSignal): Promise<string> {
	const response = await openRequest(endpoint, agent, path, signal, 'POST');
	try {
		return (await readBody(response, POST_ANSWER_BYTES)).toString('utf8');
	} finally {
		response.socket.destroy();
	}
}

/** Reads newline-delimited agent events until the stream ends. */
export function readEvents(response: IncomingMessage, onEvent: (event: AgentEvent) => void): void {
	let buffered = '';
	response.setEncoding('utf8');
	response.on('data', (chunk: string) => {
		buffered += chunk;
		let newline: number;
		while ((newline = buffered.indexOf('\n')) >= 0) {
			const line = buffered.slice(0, newline);
			buffered = buffered.slice(newline + 1);
			try {
				onEvent(JSON.parse(line) as AgentEvent);
			} catch {
				// A line that is not an event is ignored; the heartbeat watchdog catches a dead stream.
			}
		}
	});
}
