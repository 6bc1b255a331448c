import { Duplex } from 'node:stream';
import { ChunkedDecoder, ChunkedEncoder } from '../../agent/src/contract/chunked.js';
import type { DialledTunnel } from './port-listener.js';

/**
 * The plain bytes of a tunnel, for something in this process to speak over (an HTTP/2
 * client session) where a local socket would be spliced: each direction framed as the
 * agent expects. Ended both ways, the tunnel closes after its last chunk; destroyed
 * before that, it breaks, which the agent passes on as a reset.
 */
export function tunnelStream({ socket: tunnel, head }: DialledTunnel): Duplex {
	const encoder = new ChunkedEncoder();
	const decoder = new ChunkedDecoder();
	encoder.pipe(tunnel, { end: false });
	if (head.length > 0) decoder.write(head);
	tunnel.pipe(decoder);
	const stream = Duplex.from({ writable: encoder, readable: decoder });
	tunnel.on('error', (error) => stream.destroy(error));
	tunnel.on('close', () => { if (!decoder.finished || !encoder.readableEnded) stream.destroy(new Error('the tunnel closed')); });
	stream.on('error', () => undefined);
	stream.on('close', () => {
		if (!decoder.finished || !encoder.writableFinished) tunnel.destroy();
		else if (encoder.readableEnded) tunnel.end();
		else encoder.once('end', () => tunnel.end());
	});
	return stream;
}
