import type { Socket } from 'node:net';
import { spliceSocket } from '../../../agent/src/contract/handoff.js';
import type { DialledTunnel, OutgoingRewrite } from '../../outbound/port-listener.js';
import { tunnelStream } from '../../outbound/tunnel-stream.js';
import { HeaderInserter } from './header-inserter.js';
import { bridgeHttp2 } from './http2-header-bridge.js';

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/**
 * Header routing's propagation on each outbound connection of the local program. The
 * first bytes decide: the HTTP/2 preface (prior knowledge, as gRPC speaks cleartext) has
 * its streams sent again with the header; anything else, or a connection on which the
 * cluster's side speaks first, goes through the HTTP/1 inserter, which leaves what is not
 * HTTP/1 (TLS included) as it is.
 */
export function propagateHeader(name: string, value: string): OutgoingRewrite {
	return (socket, tunnel) => {
		if (tunnel.head.length > 0) return asBytes(socket, tunnel, Buffer.alloc(0), name, value);
		let first = Buffer.alloc(0);
		const stop = (): void => {
			socket.off('data', onLocal).off('end', onEnd).off('close', onLocalClose);
			tunnel.socket.off('data', onRemote).off('close', onRemoteClose).off('error', onRemoteClose);
			// Paused until spliced or bridged: a flowing stream without a reader would lose bytes.
			socket.pause();
			tunnel.socket.pause();
		};
		const onLocal = (chunk: Buffer): void => {
			first = Buffer.concat([first, chunk]);
			const known = Math.min(first.length, H2_PREFACE.length);
			if (!first.subarray(0, known).equals(H2_PREFACE.subarray(0, known))) {
				stop();
				asBytes(socket, tunnel, first, name, value);
			} else if (known === H2_PREFACE.length) {
				stop();
				socket.unshift(first);
				bridgeHttp2(socket, tunnelStream(tunnel), name, value);
			}
		};
		const onRemote = (chunk: Buffer): void => {
			stop();
			tunnel.socket.unshift(chunk);
			asBytes(socket, tunnel, first, name, value);
		};
		const onEnd = (): void => {
			stop();
			asBytes(socket, tunnel, first, name, value);
		};
		const onLocalClose = (): void => { stop(); tunnel.socket.destroy(); };
		const onRemoteClose = (): void => { stop(); socket.resetAndDestroy(); };
		socket.on('data', onLocal).on('end', onEnd).on('close', onLocalClose);
		tunnel.socket.on('data', onRemote).on('close', onRemoteClose).on('error', onRemoteClose);
	};
}

/** HTTP/1 or anything else: bytes through the inserter, starting with those read to decide. */
function asBytes(socket: Socket, tunnel: DialledTunnel, first: Buffer, name: string, value: string): void {
	const inserter = new HeaderInserter(name, value);
	if (first.length > 0) inserter.write(first);
	spliceSocket(socket, tunnel.socket, tunnel.head, inserter);
}
