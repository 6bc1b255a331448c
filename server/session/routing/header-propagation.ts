import { spliceSocket } from '../../../agent/src/contract/handoff.js';
import type { OutgoingRewrite } from '../../outbound/port-listener.js';
import { tunnelStream } from '../../outbound/tunnel-stream.js';
import { HeaderInserter } from './header-inserter.js';
import { bridgeHttp2 } from './http2-header-bridge.js';

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/**
 * How long the cluster's first bytes wait for the program's: an HTTP/2 server sends its
 * settings at once, before the preface reached it, while a protocol where the server
 * speaks first needs its greeting delivered before the program says anything.
 */
const GREETING_WAIT_MS = 300;

/**
 * Header routing's propagation on each outbound connection of the local program. Its
 * first bytes decide: the HTTP/2 preface (prior knowledge, as gRPC speaks cleartext) has
 * its streams sent again with the header; anything else goes through the HTTP/1 inserter,
 * which leaves what is not HTTP/1 (TLS included) as it is, as does a connection the
 * program stays silent on while the cluster's side speaks.
 */
export function propagateHeader(name: string, value: string): OutgoingRewrite {
	return (socket, tunnel) => {
		let first = Buffer.alloc(0);
		let timer: NodeJS.Timeout | undefined;
		const stop = (): void => {
			clearTimeout(timer);
			socket.off('data', onLocal).off('end', onEnd).off('close', onLocalClose);
			tunnel.socket.off('data', onRemote).off('close', onRemoteClose).off('error', onRemoteClose);
			// Paused until spliced or bridged: a flowing stream without a reader would lose bytes.
			socket.pause();
			tunnel.socket.pause();
		};
		const asBytes = (): void => {
			stop();
			const inserter = new HeaderInserter(name, value);
			if (first.length > 0) inserter.write(first);
			spliceSocket(socket, tunnel.socket, tunnel.head, inserter);
		};
		const onLocal = (chunk: Buffer): void => {
			first = Buffer.concat([first, chunk]);
			const known = Math.min(first.length, H2_PREFACE.length);
			if (!first.subarray(0, known).equals(H2_PREFACE.subarray(0, known))) asBytes();
			else if (known === H2_PREFACE.length) {
				stop();
				socket.unshift(first);
				bridgeHttp2(socket, tunnelStream(tunnel), name, value);
			}
		};
		const held = (): void => {
			tunnel.socket.off('data', onRemote).pause();
			timer = setTimeout(asBytes, GREETING_WAIT_MS);
		};
		const onRemote = (chunk: Buffer): void => {
			held();
			tunnel.socket.unshift(chunk);
		};
		const onEnd = (): void => asBytes();
		const onLocalClose = (): void => { stop(); tunnel.socket.destroy(); };
		const onRemoteClose = (): void => { stop(); socket.resetAndDestroy(); };
		socket.on('data', onLocal).on('end', onEnd).on('close', onLocalClose);
		tunnel.socket.on('close', onRemoteClose).on('error', onRemoteClose);
		if (tunnel.head.length > 0) held();
		else tunnel.socket.on('data', onRemote);
	};
}
