// A stand-in for the API server's SPDY port-forward tunnel, for unit tests only: a
// WebSocket server taking `SPDY/3.1+portforward.k8s.io` whose binary messages carry a SPDY
// session, pairing each forward's data and error streams by their request id and
// connecting them to a loopback port, as the kubelet connects them to the pod's port.
// `flowControl: true` makes it a peer that keeps SPDY's windows (the real kubelet keeps
// none); the e2e tests use the real API server.
import { once } from 'node:events';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { WebSocketServer } from 'ws';
import {
	FLAG_FIN, FrameReader, FrameType, SETTINGS_INITIAL_WINDOW_SIZE, controlFrame, dataHeader, goAway, ping, readSettings, rstStream, settings, windowUpdate,
} from '../../out/server/cluster/spdy/frames.js';
import { HeaderCompressor, HeaderDecompressor } from '../../out/server/cluster/spdy/header-block.js';

const PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
const DEFAULT_WINDOW = 64 * 1024;

export async function startFakeSpdyPortForward({ flowControl = false, window = DEFAULT_WINDOW, refuseProtocol = false } = {}) {
	// `ws` takes only RFC 7230 tokens as subprotocols, and this one has a '/': the upgrade is
	// checked here and the answer's header added by hand, as the API server's Go code does.
	const http = createServer();
	const server = new WebSocketServer({ noServer: true });
	server.on('headers', (headers) => headers.push(`Sec-WebSocket-Protocol: ${PROTOCOL}`));
	http.on('upgrade', (req, socket, head) => {
		const asked = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
		if (refuseProtocol || !asked.includes(PROTOCOL)) {
			socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nno SPDY here');
			return;
		}
		delete req.headers['sec-websocket-protocol'];
		server.handleUpgrade(req, socket, head, (ws) => peers.push(new Peer(ws, { flowControl, window })));
	});
	http.listen(0, '127.0.0.1');
	await once(http, 'listening');
	const peers = [];
	return {
		endpoint: { server: `http://127.0.0.1:${http.address().port}`, options: async () => ({}) },
		peers,
		close: () => new Promise((resolve) => { for (const peer of peers) peer.destroy(); http.closeAllConnections(); http.close(resolve); }),
	};
}

class Peer {
	constructor(ws, { flowControl, window }) {
		this.ws = ws;
		this.flowControl = flowControl;
		this.window = window;
		this.streams = new Map();
		this.pairs = new Map();
		this.pingsAnswered = [];
		/** Bytes a client sent past the window this peer gave it. */
		this.overruns = 0;
		this.clientWindow = DEFAULT_WINDOW;
		this.sessionWindow = DEFAULT_WINDOW;
		this.compressor = new HeaderCompressor();
		this.decompressor = new HeaderDecompressor();
		this.sockets = new Set();
		this.reader = new FrameReader({
			control: (type, flags, body) => this.control(type, flags, body),
			data: (id, piece) => this.data(id, piece),
			dataEnd: (id, flags) => { if (flags & FLAG_FIN) this.streams.get(id)?.tcp?.end(); },
		});
		ws.on('message', (message) => this.reader.push(message));
		ws.on('close', () => { for (const socket of this.sockets) socket.destroy(); });
		if (flowControl) this.send(settings([[SETTINGS_INITIAL_WINDOW_SIZE, window]]));
	}

	send(frame) {
		if (this.ws.readyState === this.ws.OPEN) this.ws.send(frame);
	}

	control(type, flags, body) {
		const id = body.readUInt32BE(0) & 0x7fffffff;
		if (type === FrameType.synStream) {
			// Blocks are read in order; the stream is known at once so its data is not lost.
			const stream = { id, headers: null, received: 0, credit: 0, sendWindow: this.clientWindow, waiting: [] };
			this.streams.set(id, stream);
			this.decompressor.decompress(body.subarray(10)).then((headers) => this.accept(stream, headers));
		} else if (type === FrameType.settings) {
			const value = readSettings(body).get(SETTINGS_INITIAL_WINDOW_SIZE);
			if (value !== undefined) this.clientWindow = value;
		} else if (type === FrameType.windowUpdate) {
			const delta = body.readUInt32BE(4);
			if (id === 0) this.sessionWindow += delta;
			else if (this.streams.has(id)) this.streams.get(id).sendWindow += delta;
			for (const stream of this.streams.values()) this.flush(stream);
		} else if (type === FrameType.ping) {
			if (id % 2 === 1) this.send(ping(id));
			else this.pingsAnswered.push(id);
		} else if (type === FrameType.rstStream) {
			this.streams.get(id)?.tcp?.destroy();
			this.streams.delete(id);
		}
	}

	async accept(stream, headers) {
		stream.headers = headers;
		const block = await this.compressor.compress([]);
		const body = Buffer.alloc(4);
		body.writeUInt32BE(stream.id);
		this.send(controlFrame(FrameType.synReply, 0, Buffer.concat([body, block])));
		const requestId = headers.get('requestid');
		const pair = this.pairs.get(requestId) ?? {};
		pair[headers.get('streamtype')] = stream;
		this.pairs.set(requestId, pair);
		if (pair.data && pair.error) this.forward(pair, Number(headers.get('port')));
	}

	forward(pair, port) {
		const tcp = connect({ host: '127.0.0.1', port });
		this.sockets.add(tcp);
		pair.data.tcp = tcp;
		for (const piece of pair.data.early ?? []) tcp.write(piece);
		tcp.on('data', (chunk) => this.sendData(pair.data, chunk));
		// As the kubelet does when the pod's side ends: the error stream closes first, then the data stream.
		tcp.on('end', () => {
			this.sendData(pair.error, Buffer.alloc(0), FLAG_FIN);
			this.sendData(pair.data, Buffer.alloc(0), FLAG_FIN);
		});
		tcp.on('error', (error) => {
			this.sendData(pair.error, Buffer.from(`error forwarding port ${port}: ${error.message}`));
			this.sendData(pair.error, Buffer.alloc(0), FLAG_FIN);
			this.sendData(pair.data, Buffer.alloc(0), FLAG_FIN);
		});
		tcp.on('close', () => this.sockets.delete(tcp));
	}

	data(id, piece) {
		const stream = this.streams.get(id);
		if (!stream) return;
		stream.received += piece.length;
		if (this.flowControl && stream.received - stream.credit > this.window) this.overruns += piece.length;
		if (!stream.tcp) {
			(stream.early ??= []).push(piece);
			return;
		}
		stream.tcp.write(piece, () => {
			if (!this.flowControl) return;
			this.send(windowUpdate(id, piece.length));
			this.send(windowUpdate(0, piece.length));
			stream.credit += piece.length;
		});
	}

	sendData(stream, chunk, flags = 0) {
		stream.waiting.push({ chunk, flags });
		this.flush(stream);
	}

	/** What waits for the client's window goes out as far as it reaches; the socket pauses meanwhile. */
	flush(stream) {
		while (stream.waiting.length > 0) {
			const { chunk, flags } = stream.waiting[0];
			const room = this.flowControl ? Math.min(stream.sendWindow, this.sessionWindow) : Infinity;
			if (chunk.length > 0 && room <= 0) {
				stream.tcp?.pause();
				return;
			}
			const now = chunk.subarray(0, Math.min(chunk.length, room));
			stream.sendWindow -= now.length;
			this.sessionWindow -= this.flowControl ? now.length : 0;
			const last = now.length === chunk.length;
			this.send(Buffer.concat([dataHeader(stream.id, last ? flags : 0, now.length), now]));
			if (last) stream.waiting.shift();
			else stream.waiting[0] = { chunk: chunk.subarray(now.length), flags };
		}
		stream.tcp?.resume();
	}

	/** The stream of this forward's kind ('data' or 'error') with the given request id. */
	streamOf(requestId, type) {
		return this.pairs.get(String(requestId))?.[type];
	}

	reset(id, status) {
		this.streams.get(id)?.tcp?.destroy();
		this.send(rstStream(id, status));
	}

	goAway(lastGood, status = 0) {
		this.send(goAway(lastGood, status));
	}

	ping(id) {
		this.send(ping(id));
	}

	destroy() {
		this.ws.terminate();
	}
}
