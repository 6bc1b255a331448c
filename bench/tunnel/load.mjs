// The traffic of the tunnel benchmark, the same for every path: one connection echoing a
// large volume, 1 KiB round trips on one connection, many connections echoing at once, and
// new connections one after another.
// Every measurement counts the bytes that came back, so a path that loses data stalls and
// times out rather than looking fast.
import net from 'node:net';
import { randomBytes } from 'node:crypto';

const CHUNK = randomBytes(64 * 1024);
const STALL_MS = 30_000;

const now = () => Number(process.hrtime.bigint()) / 1e6;

/** A connected socket that has echoed one small message: the path is set up end to end. */
export async function openEchoed({ host, port }, timeoutMs = 20_000) {
	const socket = net.connect({ host, port, noDelay: true });
	socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no echo from ${host}:${port} within ${timeoutMs} ms`)));
	await new Promise((resolve, reject) => {
		socket.once('error', reject);
		socket.once('connect', () => socket.write('hello'));
		let got = 0;
		const onData = (data) => {
			got += data.length;
			if (got < 5) return;
			socket.off('data', onData);
			socket.off('error', reject);
			socket.setTimeout(0);
			resolve();
		};
		socket.on('data', onData);
	});
	return socket;
}

/** Writes `total` bytes while reading the echo; resolves with the milliseconds until the last byte came back. */
function echoVolume(socket, total) {
	return new Promise((resolve, reject) => {
		let received = 0;
		let stall = null;
		const armStall = () => {
			clearTimeout(stall);
			stall = setTimeout(() => finish(new Error(`echo stalled at ${received} of ${total} bytes`)), STALL_MS);
		};
		const finish = (error) => {
			clearTimeout(stall);
			socket.removeAllListeners('data');
			if (error) reject(error);
			else resolve(now() - started);
		};
		socket.on('data', (data) => {
			received += data.length;
			armStall();
			if (received >= total) finish();
		});
		socket.once('error', finish);
		socket.once('close', () => { if (received < total) finish(new Error(`closed at ${received} of ${total} bytes`)); });
		const started = now();
		armStall();
		let sent = 0;
		const pump = () => {
			while (sent < total) {
				const piece = Math.min(CHUNK.length, total - sent);
				sent += piece;
				if (!socket.write(piece === CHUNK.length ? CHUNK : CHUNK.subarray(0, piece))) {
					socket.once('drain', pump);
					return;
				}
			}
		};
		pump();
	});
}

/** One connection's echoed throughput in MB/s (10^6 bytes). */
export async function singleThroughput(address, totalBytes) {
	const socket = await openEchoed(address);
	try {
		const ms = await echoVolume(socket, totalBytes);
		return { mbps: totalBytes / 1e6 / (ms / 1000), ms };
	} finally {
		socket.destroy();
	}
}

/** `count` connections, set up first, then all echoing `bytesEach` at once: aggregate MB/s. */
export async function concurrentThroughput(address, count, bytesEach) {
	const sockets = [];
	try {
		for (let i = 0; i < count; i++) sockets.push(await openEchoed(address));
		const started = now();
		await Promise.all(sockets.map((socket) => echoVolume(socket, bytesEach)));
		const ms = now() - started;
		return { mbps: (count * bytesEach) / 1e6 / (ms / 1000), ms };
	} finally {
		for (const socket of sockets) socket.destroy();
	}
}

/** 1 KiB request, wait for the 1 KiB echo, `count` times on one connection (after a warm-up): each round trip in ms. */
export async function roundTrips(address, count, warmup = 100) {
	const socket = await openEchoed(address);
	const request = CHUNK.subarray(0, 1024);
	const samples = [];
	try {
		for (let i = 0; i < warmup + count; i++) {
			const started = now();
			await new Promise((resolve, reject) => {
				let got = 0;
				const timer = setTimeout(() => reject(new Error(`round trip ${i} got no echo within ${STALL_MS} ms`)), STALL_MS);
				const onData = (data) => {
					got += data.length;
					if (got < request.length) return;
					clearTimeout(timer);
					socket.off('data', onData);
					resolve();
				};
				socket.on('data', onData);
				socket.write(request);
			});
			if (i >= warmup) samples.push(now() - started);
		}
	} finally {
		socket.destroy();
	}
	return samples;
}

/** p50 and p99 of round-trip samples (milliseconds), pooled from every round. */
/** Milliseconds from connecting until a first small message came back, for `count` new connections one after another. */
export async function newConnections(address, count) {
	const samples = [];
	for (let i = 0; i < count; i++) {
		const started = now();
		const socket = await openEchoed(address);
		samples.push(now() - started);
		socket.destroy();
	}
	return samples;
}

export function percentiles(samples) {
	const sorted = [...samples].sort((a, b) => a - b);
	const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
	return { p50: at(0.5), p99: at(0.99), count: sorted.length };
}
