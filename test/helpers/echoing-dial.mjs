// The cluster side of outbound, replaced at its seam (the dial) for the unit tests: a
// tunnel whose far end echoes in upper case, and a client that sends text through a
// local listener and reads the whole answer.
import net from 'node:net';
import { Duplex } from 'node:stream';
import { ChunkedDecoder, ChunkedEncoder } from '../../out/agent/src/contract/chunked.js';
import { DatagramDeframer, frameDatagram } from '../../out/agent/src/contract/datagram-frames.js';

/** A flow of datagrams whose far end answers each one in upper case, as its own datagram. */
function echoingFlow() {
	const deframer = new DatagramDeframer();
	const tunnel = new Duplex({
		write(chunk, _encoding, callback) {
			for (const datagram of deframer.push(chunk)) tunnel.push(frameDatagram(Buffer.from(datagram.toString('latin1').toUpperCase(), 'latin1')));
			callback();
		},
		final(callback) { tunnel.push(null); callback(); },
		read() {},
	});
	return { socket: tunnel, head: Buffer.alloc(0) };
}

/** A dial whose tunnel answers in upper case; each host:port asked for goes into `dialled` (with `/udp` for a flow of datagrams). */
export function echoingDial(dialled) {
	return async (host, port, transport) => {
		dialled.push(`${host}:${port}${transport ? `/${transport}` : ''}`);
		if (transport === 'udp') return echoingFlow();
		const decoder = new ChunkedDecoder();
		const encoder = new ChunkedEncoder();
		const tunnel = new Duplex({
			write(chunk, _encoding, callback) { decoder.write(chunk); callback(); },
			final(callback) { callback(); },
			read() {},
		});
		decoder.on('data', (data) => encoder.write(Buffer.from(data.toString('latin1').toUpperCase(), 'latin1')));
		decoder.on('end', () => encoder.end());
		encoder.on('data', (data) => tunnel.push(data));
		encoder.on('end', () => tunnel.push(null));
		return { socket: tunnel, head: Buffer.alloc(0) };
	};
}

/** Sends `text`, half-closes, and resolves with everything answered. */
export function roundTrip(address, port, text) {
	return new Promise((resolve, reject) => {
		let answer = '';
		const socket = net.connect(port, address, () => socket.end(text));
		socket.on('data', (d) => { answer += d; });
		socket.on('end', () => resolve(answer));
		socket.on('error', reject);
	});
}
