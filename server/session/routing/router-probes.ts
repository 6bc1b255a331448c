import { randomBytes } from 'node:crypto';
import { ChunkedDecoder, ChunkedEncoder } from '../../../agent/src/contract/chunked.js';
import { ROUTE_PROBE_HEADER, ROUTER_POD_HEADER, ROUTER_SESSIONS_HEADER } from '../../../agent/src/contract/routing-record.js';
import type { Tunnel } from '../../tunnel/agent-exchange.js';

/** A probe that gets no answer head in this long met a stale rule (or a server that speaks first). */
const ANSWER_MS = 1500;
const MAX_HEAD = 16 * 1024;

/** Who answered a probe: a router (with the sessions it knows), something else, or nobody. */
export type ProbeAnswer = { router: string; sessions: string[] } | { other: string } | { none: string };

/**
 * One HTTP/1.1 request through a tunnel dialled to the Service's cluster IP, carrying the
 * probe header: a router answers it itself and says which sessions' routes it knows; an
 * original pod answers whatever its program answers, or nothing that looks like HTTP.
 */
export function probeRouter(tunnel: Tunnel, host: string, port: number): Promise<ProbeAnswer> {
	return new Promise((resolve) => {
		const decoder = new ChunkedDecoder();
		let head = Buffer.alloc(0);
		const done = (answer: ProbeAnswer) => {
			clearTimeout(timer);
			tunnel.socket.destroy();
			resolve(answer);
		};
		const timer = setTimeout(() => done({ none: `no answer from ${host}:${port} within ${ANSWER_MS} ms` }), ANSWER_MS);
		tunnel.socket.on('error', () => undefined);
		decoder.on('error', () => done({ other: `${host}:${port} answered something that is not HTTP` }));
		decoder.on('data', (chunk: Buffer) => {
			head = Buffer.concat([head, chunk]);
			const end = head.indexOf('\r\n\r\n');
			if (end < 0) {
				if (head.length > MAX_HEAD) done({ other: `${host}:${port} answered something that is not HTTP` });
				return;
			}
			const lines = head.subarray(0, end).toString('latin1').split('\r\n');
			const headers = new Map(lines.slice(1).map((line) => {
				const colon = line.indexOf(':');
				return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as const;
			}));
			const router = headers.get(ROUTER_POD_HEADER);
			if (router) return done({ router, sessions: (headers.get(ROUTER_SESSIONS_HEADER) ?? '').split(',').filter(Boolean) });
			done({ other: `${host}:${port} answered '${lines[0]}', not a router` });
		});
		decoder.on('end', () => done({ other: `${host}:${port} closed the connection without an answer` }));
		if (tunnel.head.length > 0) decoder.write(tunnel.head);
		tunnel.socket.pipe(decoder);
		const encoder = new ChunkedEncoder();
		encoder.pipe(tunnel.socket, { end: false });
		const nonce = randomBytes(6).toString('hex');
		encoder.write(Buffer.from(`GET /kubebridge-route-probe HTTP/1.1\r\nhost: ${host}\r\n${ROUTE_PROBE_HEADER}: ${nonce}\r\nconnection: close\r\n\r\n`, 'latin1'));
	});
}
