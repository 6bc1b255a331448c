// Toxiproxy between a client and the API server: 10 ms added each way, so 20 ms per round
// trip. Built once from its Go module (the version pinned in bench/toxiproxy/go.mod) into
// the cluster's cache folder; it ends TCP on both sides, so what it exposes is flow
// control above TCP, not TCP windows.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { startProcess } from './processes.mjs';

const MODULE_DIR = new URL('../toxiproxy/', import.meta.url).pathname;
const CACHE = process.env.KUBEBRIDGE_CLUSTER_CACHE ?? '/var/cache/kubebridge-cluster';

export function toxiproxyVersion() {
	return /github\.com\/Shopify\/toxiproxy\/v2 (v\S+)/.exec(readFileSync(join(MODULE_DIR, 'go.mod'), 'utf8'))[1];
}

/** The server binary, built on first use (about a minute on 2 cores). */
export function toxiproxyBinary(log) {
	const dir = join(CACHE, `toxiproxy-${toxiproxyVersion()}`);
	const binary = join(dir, 'toxiproxy-server');
	if (existsSync(binary)) return binary;
	log(`building Toxiproxy ${toxiproxyVersion()} into ${dir} (once)…`);
	mkdirSync(dir, { recursive: true });
	execFileSync('go', ['build', '-o', binary, 'github.com/Shopify/toxiproxy/v2/cmd/server'], { cwd: MODULE_DIR, stdio: 'inherit', timeout: 600_000 });
	return binary;
}

export function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

export async function toxiproxyApi(base, method, path, body) {
	const response = await fetch(`${base}${path}`, {
		method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body), signal: AbortSignal.timeout(5000),
	});
	const text = await response.text();
	if (!response.ok) throw new Error(`Toxiproxy ${method} ${path}: ${response.status} ${text}`);
	return text;
}

/**
 * Starts Toxiproxy with one proxy (`apiserver`) on 127.0.0.1 to `upstream` (host:port),
 * `latencyMs` added each way (none when 0). `base` is its HTTP API, for toxics added later.
 */
export async function startToxiproxy(binary, upstream, latencyMs = 0) {
	const apiPort = await freePort();
	const server = startProcess(binary, ['-host', '127.0.0.1', '-port', String(apiPort)], {
		ready: (line) => (/Starting HTTP server/.test(line) ? true : undefined),
	});
	await server.value;
	const base = `http://127.0.0.1:${apiPort}`;
	for (let i = 0; ; i++) {
		try { await toxiproxyApi(base, 'GET', '/version'); break; } catch (error) { if (i > 50) throw error; }
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	const listen = `127.0.0.1:${await freePort()}`;
	await toxiproxyApi(base, 'POST', '/proxies', { name: 'apiserver', listen, upstream, enabled: true });
	for (const stream of latencyMs > 0 ? ['upstream', 'downstream'] : []) {
		await toxiproxyApi(base, 'POST', '/proxies/apiserver/toxics', {
			name: `latency_${stream}`, type: 'latency', stream, toxicity: 1, attributes: { latency: latencyMs, jitter: 0 },
		});
	}
	return { listen, base, stop: () => server.stop('SIGTERM') };
}
