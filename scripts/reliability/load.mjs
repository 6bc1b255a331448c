// Load through the tunnel, from the stage's client pod to the local process: many
// connections at once, one long transfer with the sidecar's memory sampled, a slow reader
// on each side, and connect/disconnect cycles checked for leaks.
import { readdirSync, readlinkSync } from 'node:fs';
import { sampleRss } from '../../bench/tunnel/processes.mjs';
import { comparableObject, inClient, sessionObjects, sleep, waitFor } from '../../test/helpers/workload-fixtures.mjs';
import { connectWeb } from './stage.mjs';

/** Past the 5 s an idle keep-alive connection of Node's global agent is kept. */
const KEEP_ALIVE_IDLE_MS = 6000;

const MiB = 1 << 20;

/** Sockets the process holds open (TCP, Unix and the like), from /proc. */
export function openSockets(pid) {
	return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
		try { return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:'); } catch { return false; }
	}).length;
}

/** `count` GETs at once to `/hold`, each answered after `holdMs`: how many got the marker, and errors by code. */
export function concurrentScript(count, holdMs, marker) {
	return `
const http = require('node:http');
const started = Date.now();
const errors = {};
let ok = 0;
const one = (i) => new Promise((resolve) => {
	const req = http.get('http://web/hold?ms=${holdMs}&i=' + i, { agent: false, timeout: 60000 }, (res) => {
		let body = '';
		res.on('data', (d) => { body += d; });
		res.on('end', () => { if (res.statusCode === 200 && body === ${JSON.stringify(marker)}) ok++; resolve(); });
	});
	req.on('timeout', () => req.destroy(new Error('timeout')));
	req.on('error', (e) => { errors[e.code || e.message] = (errors[e.code || e.message] || 0) + 1; resolve(); });
});
Promise.all(Array.from({ length: ${count} }, (_, i) => one(i))).then(() => console.log(JSON.stringify({ ok, errors, ms: Date.now() - started })));`;
}

/** Downloads `bytes` from `/source`, counting; `slowForMs` reads 64 KiB per 100 ms and stops after that long. */
export function downloadScript(bytes, slowForMs = 0) {
	return `
const http = require('node:http');
const started = Date.now();
let got = 0;
const report = (how) => { console.log(JSON.stringify({ how, got, ms: Date.now() - started })); process.exit(0); };
http.get('http://web/source?bytes=${bytes}', { agent: false }, (res) => {
	res.on('data', (d) => {
		got += d.length;
		${slowForMs ? 'res.pause(); setTimeout(() => res.resume(), 100 * Math.max(1, d.length / 65536));' : ''}
	});
	res.on('end', () => report(got === ${bytes} ? 'complete' : 'short'));
	res.on('error', (e) => report('error ' + e.code));
}).on('error', (e) => report('error ' + e.code));
${slowForMs ? `setTimeout(() => report('stopped'), ${slowForMs});` : ''}`;
}

/** Uploads to `/sink?slow` as fast as the connection takes it for `forMs`: bytes handed to the socket. */
export function slowSinkScript(forMs) {
	return `
const http = require('node:http');
const chunk = Buffer.alloc(65536, 1);
const req = http.request('http://web/sink?slow', { method: 'POST', agent: false });
req.on('error', () => {});
const pump = () => { while (req.write(chunk)) {} req.once('drain', pump); };
pump();
setTimeout(() => { console.log(JSON.stringify({ written: req.socket ? req.socket.bytesWritten : 0 })); process.exit(0); }, ${forMs});`;
}

/** The sidecar's resident memory while `work` runs: start, max and end in MB. */
async function withMemory(pid, work) {
	const rss = sampleRss(pid, 100);
	const result = await work();
	return { ...result, rss: rss.stop() };
}

const mb = (r) => `${r.start.toFixed(0)} → ${r.max.toFixed(0)} → ${r.end.toFixed(0)} MB`;

/** Connects, runs the load, disconnects; then `cycles` connect/disconnect rounds in the same sidecar. */
export async function runLoad(stage, { cleanup, log, concurrent = 200, bigBytes = 1024 * MiB, slowMs = 20_000, cycles = 10 }) {
	const { namespace, local } = stage;
	const original = await comparableObject('deployment', namespace, 'web');
	const { sidecar, dropCleanup } = await connectWeb(stage, { cleanup });
	const pid = sidecar.child.pid;
	const results = {};

	results.concurrent = await withMemory(pid, () => inClient(namespace, concurrentScript(concurrent, 5000, local.marker)));
	results.concurrent.count = concurrent;
	results.concurrent.peakAtOnce = local.peakHolding();
	log(`${concurrent} connections at once: ${results.concurrent.ok} answered from this machine, ${results.concurrent.peakAtOnce} held open at once, errors ${JSON.stringify(results.concurrent.errors)}, ${results.concurrent.ms} ms; sidecar ${mb(results.concurrent.rss)}`);

	results.big = await withMemory(pid, () => inClient(namespace, downloadScript(bigBytes)));
	results.big.bytes = bigBytes;
	log(`${bigBytes / MiB} MiB through one connection: ${results.big.how} in ${results.big.ms} ms; sidecar ${mb(results.big.rss)}`);

	if (slowMs > 0) await slowReaders(stage, pid, slowMs, bigBytes, results, log);
	results.cycles = await connectCycles(stage, sidecar, cycles, log);
	await sidecar.client.request('shutdown', undefined, 60_000);
	sidecar.client.notify('exit');
	results.exitCode = await sidecar.exited;
	dropCleanup();
	results.restoredExactly = JSON.stringify(await comparableObject('deployment', namespace, 'web')) === JSON.stringify(original);
	log(`after exit: restored exactly ${results.restoredExactly}, exit code ${results.exitCode}`);
	return results;
}

/** A reader far slower than the network in the cluster, then on this machine, with the sidecar's memory sampled. */
async function slowReaders(stage, pid, slowMs, bigBytes, results, log) {
	const { namespace, local } = stage;
	const sourcedBefore = local.bytes.sourced;
	results.slowCluster = await withMemory(pid, () => inClient(namespace, downloadScript(bigBytes, slowMs)));
	results.slowCluster.inBetween = local.bytes.sourced - sourcedBefore - results.slowCluster.got;
	log(`slow reader in the cluster for ${slowMs / 1000} s: it read ${(results.slowCluster.got / MiB).toFixed(1)} MiB, ${(results.slowCluster.inBetween / MiB).toFixed(1)} MiB written by the local process and not read yet; sidecar ${mb(results.slowCluster.rss)}`);

	const sunkBefore = local.bytes.sunk;
	results.slowLocal = await withMemory(pid, () => inClient(namespace, slowSinkScript(slowMs)));
	results.slowLocal.read = local.bytes.sunk - sunkBefore;
	results.slowLocal.inBetween = results.slowLocal.written - results.slowLocal.read;
	log(`slow reader on this machine for ${slowMs / 1000} s: the caller wrote ${(results.slowLocal.written / MiB).toFixed(1)} MiB, the local process read ${(results.slowLocal.read / MiB).toFixed(1)} MiB; sidecar ${mb(results.slowLocal.rss)}`);
}

/**
 * Ms from `from` until the prober's calls are answered by the local process: the first
 * probe sent after `from` that arrived. Not at once, always: the API server's endpoints say
 * only agents serve, but kube-proxy may not have written its rules yet.
 */
async function firstServed(stage, from) {
	for (;;) {
		const ms = stage.local.servedAfter(from);
		if (ms !== null) return ms;
		if (Date.now() - from > 60_000) throw new Error('no probe answered locally within 60 s of connect');
		await sleep(50);
	}
}

/**
 * Disconnects the session it is given, then connects and disconnects `cycles` times: after
 * each disconnect the sidecar's sockets, its agents and the session's objects are counted.
 */
async function connectCycles(stage, sidecar, cycles, log) {
	const pid = sidecar.child.pid;
	const after = [];
	const sessions = [];
	const servedAfterConnectMs = [];
	const disconnect = async () => {
		const response = await sidecar.client.request('session/disconnect', {}, 150_000);
		if (!response.result) throw new Error(`session/disconnect failed: ${JSON.stringify(response.error)}`);
		const status = (await sidecar.client.request('session/status', {})).result;
		// Node's global agent keeps idle API connections for 5 s, as many as the last calls
		// needed at once: counted at once, they would vary with timing, not with leaks.
		await sleep(KEEP_ALIVE_IDLE_MS);
		after.push({ sockets: openSockets(pid), agents: status.agents.length, rss: sampleRss(pid).stop().end });
	};
	sessions.push((await sidecar.client.request('session/status', {})).result.sessionId);
	await disconnect();
	for (let i = 0; i < cycles; i++) {
		const response = await sidecar.client.request('session/connect', { targets: [{ service: 'web', localPort: stage.local.port }] }, 150_000);
		const answeredAt = Date.now();
		if (!response.result) throw new Error(`session/connect failed in cycle ${i + 1}: ${JSON.stringify(response.error)}`);
		sessions.push(response.result.sessionId);
		servedAfterConnectMs.push(await firstServed(stage, answeredAt));
		await disconnect();
	}
	// The garbage collector removes a session's restorer after its lease: give it the documented bound.
	let left = [];
	await waitFor('the sessions\' objects gone', async () => {
		left = (await Promise.all(sessions.map((session) => sessionObjects(stage.namespace, session)))).flat();
		return left.length === 0;
	}, { ms: 30_000, every: 1000 }).catch(() => undefined);
	log(`${cycles} connect/disconnect cycles: sockets after each ${after.map((a) => a.sockets).join(', ')}; agents ${after.map((a) => a.agents).join(', ')}; sidecar RSS ${after.map((a) => a.rss.toFixed(0)).join(', ')} MB; session objects left ${left.length}; first call served ${servedAfterConnectMs.join(', ')} ms after connect answered`);
	return { cycles, after, sessions, left, servedAfterConnectMs };
}
