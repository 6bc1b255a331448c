import type { Socket } from 'node:net';
import type { Duplex, Transform } from 'node:stream';
import { ChunkedDecoder, pipeChunked } from './chunked.js';

/**
 * Joins a TCP socket to a tunnel after its HTTP upgrade; both ends of a tunnel (agent and
 * sidecar) use it. Each direction is chunked: the socket's FIN becomes the last chunk,
 * and the last chunk from the other side becomes a FIN. A tunnel that breaks before both
 * directions ended resets the socket, and a socket reset breaks the tunnel, so a reset
 * crosses it too. `head` holds tunnel bytes read along with the upgrade; `outgoing`, when
 * given, rewrites what the socket sends before it enters the tunnel.
 */
export function spliceSocket(socket: Socket, tunnel: Duplex, head: Buffer = Buffer.alloc(0), outgoing?: Transform): void {
	const decoder = new ChunkedDecoder();
	let over = false;
	let sent = false;
	const reset = (): void => {
		if (over) return;
		over = true;
		socket.resetAndDestroy();
		tunnel.destroy();
	};
	let afterLast = (): void => undefined;
	pipeChunked(outgoing ? socket.pipe(outgoing) : socket, tunnel, () => {
		sent = true;
		afterLast();
	});
	outgoing?.on('error', reset);
	if (head.length > 0) decoder.write(head);
	tunnel.pipe(decoder).pipe(socket);
	socket.on('error', reset);
	decoder.on('error', reset);
	tunnel.on('error', reset);
	tunnel.on('close', () => { if (!decoder.finished || !sent) reset(); });
	socket.on('close', () => {
		if (over) return;
		over = true;
		// Both directions are over: the tunnel closes once the last chunk left.
		if (sent) tunnel.end();
		else afterLast = () => tunnel.end();
	});
}
