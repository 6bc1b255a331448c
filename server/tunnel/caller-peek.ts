import { ChunkedDecoder } from '../../agent/src/contract/chunked.js';
import type { Tunnel } from './agent-exchange.js';
import type { ProbeCatcher } from './route-probes.js';

/**
 * How long a caller that sends nothing first (a server-speaks-first protocol) waits before
 * it is handed on: a probe's marker follows its connection within a round trip through
 * the API server, which a busy machine stretches to hundreds of milliseconds.
 */
const PEEK_MS = 1500;

/**
 * Reads a caller's first bytes to tell a probe from a real caller. Resolves null when it
 * was a probe (the tunnel is closed) or the caller went before anything was decided, and
 * otherwise the tunnel with every byte read put back into `head`, so nothing is lost.
 */
export function peekCaller(tunnel: Tunnel, catcher: ProbeCatcher, pod: string, ms = PEEK_MS): Promise<Tunnel | null> {
	return new Promise((resolve) => {
		const raw: Buffer[] = [tunnel.head];
		const payload: Buffer[] = [];
		const decoder = new ChunkedDecoder();
		let decided = false;
		const finish = (result: Tunnel | null): void => {
			if (decided) return;
			decided = true;
			clearTimeout(timer);
			tunnel.socket.off('data', onData);
			tunnel.socket.off('close', onClose);
			tunnel.socket.pause();
			if (!result) tunnel.socket.destroy();
			resolve(result);
		};
		const asCaller = (): void => finish({ ...tunnel, head: Buffer.concat(raw) });
		const onData = (chunk: Buffer): void => {
			raw.push(chunk);
			decoder.write(chunk);
		};
		const onClose = (): void => finish(null);
		const timer = setTimeout(asCaller, ms);
		decoder.on('data', (bytes: Buffer) => {
			payload.push(bytes);
			const verdict = catcher.judge(Buffer.concat(payload), pod);
			if (verdict === 'probe') finish(null);
			else if (verdict === 'caller') asCaller();
		});
		// A caller that half-closed before sending a marker, or bytes that are not chunked
		// coding: no probe either way, and the splice deals with them as it always does.
		decoder.on('end', asCaller);
		decoder.on('error', asCaller);
		tunnel.socket.on('data', onData);
		tunnel.socket.once('close', onClose);
		if (tunnel.head.length > 0) decoder.write(tunnel.head);
	});
}
