// The stage every reliability scenario plays on: a namespace of its own with the demo's
// `web` Deployment and Service, a prober pod that calls the Service ten times a second,
// the developer's process (an HTTP server on this machine that notes when each probe
// reached it), and the sidecar as an editor runs it, as the developer Role, optionally
// through Toxiproxy in front of the API server.
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import { issueKubeconfig } from '../../test/helpers/cluster.mjs';
import { DEVELOPER_RULES } from '../../test/helpers/developer-role.mjs';
import { startSidecar } from '../../test/helpers/executable.mjs';
import {
	DEMO_IMAGE, RESTRICTED_CONTAINER, appManifests, apply, clientManifests, createNamespace, deleteNamespace, rolloutDone,
} from '../../test/helpers/workload-fixtures.mjs';
import { oneContainerWorkload } from '../../test/helpers/workload-manifest.mjs';
import { startToxiproxy, toxiproxyBinary } from '../../bench/tunnel/toxiproxy.mjs';

/** Every probe is a new connection to the Service, sent every PROBE_EVERY_MS with its send time in the path. */
export const PROBE_EVERY_MS = 100;
/** A probe's caller gives up after this. */
export const PROBE_TIMEOUT_MS = 2000;

const proberScript = `
const http = require('node:http');
let n = 0;
setInterval(() => {
	const req = http.get('http://web/probe?t=' + Date.now() + '&n=' + (n++), { agent: false, timeout: ${PROBE_TIMEOUT_MS} }, (res) => res.resume());
	req.on('timeout', () => req.destroy());
	req.on('error', () => {});
}, ${PROBE_EVERY_MS});
// One long response open at all times, so a fault always finds one in flight.
const stream = () => {
	let ended = false;
	// A cut response can say so more than once (aborted, error): one new stream per cut.
	const again = () => { if (!ended) { ended = true; setTimeout(stream, 1000); } };
	http.get('http://web/stream?s=600&from=prober', { agent: false }, (res) => { res.resume(); res.on('end', again); res.on('error', again); }).on('error', again);
};
stream();`;

const proberManifest = (namespace) => oneContainerWorkload(namespace, 'prober', {
	name: 'prober', image: DEMO_IMAGE, imagePullPolicy: 'Never', command: ['/usr/local/bin/node', '-e', proberScript], securityContext: RESTRICTED_CONTAINER,
}, { pod: { terminationGracePeriodSeconds: 0 } });

const CHUNK = Buffer.alloc(64 * 1024, 7);

/** Writes `bytes` bytes, waiting for the reader whenever the socket's buffer is full. */
function sendBytes(res, bytes, counted) {
	res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes });
	let left = bytes;
	const more = () => {
		while (left > 0) {
			const piece = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
			left -= piece.length;
			counted(piece.length);
			if (!res.write(piece)) { res.once('drain', more); return; }
		}
		res.end();
	};
	more();
}

/** Counts a request body; `slow` reads 64 KiB every 100 ms, a reader far slower than the network. */
function sink(req, res, slow, counted) {
	let bytes = 0;
	req.on('data', (d) => {
		bytes += d.length;
		counted(d.length);
		if (slow) { req.pause(); setTimeout(() => req.resume(), 100 * Math.max(1, d.length / CHUNK.length)); }
	});
	req.on('end', () => res.end(JSON.stringify({ bytes })));
}

/**
 * The developer's process. `/probe` notes (send time, arrival time); `/stream` sends a line
 * every 100 ms for `s` seconds, a connection in flight across a fault, and notes how it
 * ended; anything else answers
 * with the marker. `/hold?ms=` answers after a while, `/source?bytes=` sends that many
 * bytes, `/sink` counts what it is sent (`?slow` reads slowly).
 */
export async function startLocalProcess() {
	const marker = `local-${randomBytes(6).toString('hex')}`;
	const arrivals = [];
	/** Every `/stream` response: who asked, when it started and ended, lines sent, `complete` or `cut`. */
	const streams = [];
	let holding = 0;
	let peakHolding = 0;
	/** Bytes `/source` wrote and `/sink` read, over the process's life. */
	const bytes = { sourced: 0, sunk: 0 };
	const server = createServer((req, res) => {
		const url = new URL(req.url, 'http://local');
		if (url.pathname === '/probe') {
			arrivals.push({ sent: Number(url.searchParams.get('t')), at: Date.now() });
			res.end(marker);
		} else if (url.pathname === '/stream') {
			res.writeHead(200, { 'content-type': 'text/plain' });
			const record = { from: url.searchParams.get('from'), started: Date.now(), lines: 0, ended: null, how: null };
			streams.push(record);
			let left = Number(url.searchParams.get('s') ?? 30) * 10;
			const timer = setInterval(() => {
				res.write(`${Date.now()}\n`);
				record.lines++;
				if (--left <= 0) { clearInterval(timer); record.how = 'complete'; res.end(); }
			}, 100);
			res.once('close', () => {
				clearInterval(timer);
				record.ended = Date.now();
				record.how ??= 'cut';
			});
		} else if (url.pathname === '/hold') {
			holding++;
			peakHolding = Math.max(peakHolding, holding);
			setTimeout(() => { holding--; res.end(marker); }, Number(url.searchParams.get('ms')));
		} else if (url.pathname === '/source') {
			sendBytes(res, Number(url.searchParams.get('bytes')), (n) => { bytes.sourced += n; });
		} else if (url.pathname === '/sink') {
			sink(req, res, url.searchParams.has('slow'), (n) => { bytes.sunk += n; });
		} else {
			res.end(marker);
		}
	});
	server.keepAliveTimeout = 1000;
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		port: server.address().port, marker, arrivals, streams,
		/** The most requests held open at once by `/hold`. */
		peakHolding: () => peakHolding,
		bytes,
		/** When the first probe sent at or after `from` reached this machine, in ms after `from`; null if none yet. */
		servedAfter(from) {
			const hit = arrivals.find((a) => a.sent >= from);
			return hit ? hit.at - from : null;
		},
		close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
	};
}

/** A copy of the kubeconfig whose `server:` is `listen` (the API server's certificate covers 127.0.0.1). */
function pointedAt(kubeconfig, listen) {
	const copy = `${kubeconfig}.toxiproxy`;
	writeFileSync(copy, readFileSync(kubeconfig, 'utf8').replace(/server: https:\/\/\S+/, `server: https://${listen}`));
	return copy;
}

/**
 * Sets up the namespace, the developer identity, the local process and (with `proxy`)
 * Toxiproxy; registers their undoing with `cleanup`.
 */
export async function setUpStage({ namespace, proxy = false, log, cleanup }) {
	log(`namespace ${namespace}: web, its Service and a prober`);
	cleanup.add(`delete namespace ${namespace}`, () => deleteNamespace(namespace));
	createNamespace(namespace, { 'kubebridge.io/test': 'reliability' });
	apply([...appManifests(namespace, 'web'), proberManifest(namespace), ...clientManifests(namespace)]);
	for (const name of ['web', 'prober', 'client']) await rolloutDone(namespace, name);
	const developer = issueKubeconfig({ user: `dev-${namespace}`, namespace, rules: DEVELOPER_RULES });
	cleanup.add('remove the developer kubeconfig', () => { developer.revoke(); rmSync(dirname(developer.kubeconfig), { recursive: true, force: true }); });
	const local = await startLocalProcess();
	cleanup.add('stop the local process', () => local.close());
	let kubeconfig = developer.kubeconfig;
	let toxiproxy = null;
	if (proxy) {
		const upstream = /server: https:\/\/(\S+)/.exec(readFileSync(kubeconfig, 'utf8'))[1];
		toxiproxy = await startToxiproxy(toxiproxyBinary(log), upstream);
		cleanup.add('stop Toxiproxy', toxiproxy.stop);
		kubeconfig = pointedAt(kubeconfig, toxiproxy.listen);
		log(`Toxiproxy on ${toxiproxy.listen} → ${upstream}`);
	}
	return { namespace, kubeconfig, local, toxiproxy };
}

/** `session/connect` of `web` to the local process through a sidecar started as an editor starts it. */
export async function connectWeb(stage, { cleanup, env } = {}) {
	const sidecar = startSidecar({ args: ['--kubeconfig', stage.kubeconfig], env });
	const drop = cleanup?.add('end the sidecar (SIGTERM restores)', () => { sidecar.child.kill('SIGTERM'); return sidecar.exited; });
	const init = await sidecar.client.initialize({ cluster: { namespace: stage.namespace } });
	if (!init.result) throw new Error(`initialize failed: ${JSON.stringify(init.error)}`);
	const started = Date.now();
	const response = await sidecar.client.request('session/connect', { targets: [{ service: 'web', localPort: stage.local.port }] }, 150_000);
	if (!response.result) throw new Error(`session/connect failed: ${JSON.stringify(response.error)}\n${sidecar.stderr().slice(-2000)}`);
	return { sidecar, connected: response.result, connectMs: Date.now() - started, dropCleanup: drop ?? (() => undefined) };
}
