// A TLS proxy in front of the API server that counts the requests a client makes: one
// per kubebridge session and one per kubectl baseline, so the API calls of each are
// counted apart, exactly, with the client's own identity (the proxy presents the same
// client certificate upstream). Port-forward and watch streams pass through as they are.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const field = (text, name) => new RegExp(`${name}: (\\S+)`).exec(text)?.[1];

/** What one request was for: method, resource (with subresource) and whether it watches. */
export function describeRequest(method, url) {
	const parsed = new URL(url, 'https://api');
	const parts = parsed.pathname.split('/').filter(Boolean);
	const at = parts.indexOf('namespaces');
	let resource;
	if (at >= 0 && parts.length > at + 2) resource = [parts[at + 2], parts[at + 4]].filter(Boolean).join('/');
	else if (parts[0] === 'api' && parts.length > 2) resource = parts[2];
	else if (parts[0] === 'apis' && parts.length > 3) resource = parts[3];
	else resource = 'discovery';
	const watch = parsed.searchParams.get('watch') === 'true' || parsed.searchParams.get('watch') === '1';
	return `${method} ${resource}${watch ? ' (watch)' : ''}`;
}

/** A self-signed certificate for 127.0.0.1, made with openssl (as the cluster's own PKI is). */
function selfSigned(dir) {
	const key = join(dir, 'proxy.key');
	const cert = join(dir, 'proxy.crt');
	execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
		'-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
	return { key: readFileSync(key), cert: readFileSync(cert) };
}

/**
 * Starts a counting proxy for the user of `kubeconfig` and writes a kubeconfig that goes
 * through it. `counts()` is how many requests of each kind arrived since the last `reset()`.
 */
export async function startApiCounter(kubeconfig) {
	const text = readFileSync(kubeconfig, 'utf8');
	const upstream = new URL(field(text, 'server'));
	const b64 = (name) => Buffer.from(field(text, name), 'base64');
	const tls = { ca: b64('certificate-authority-data'), cert: b64('client-certificate-data'), key: b64('client-key-data') };
	const agent = new https.Agent({ ...tls, keepAlive: true });
	const dir = mkdtempSync(join(tmpdir(), 'kb-bench-counter-'));
	const own = selfSigned(dir);
	let counts = new Map();
	const count = (req) => {
		const kind = describeRequest(req.method, req.url);
		counts.set(kind, (counts.get(kind) ?? 0) + 1);
	};
	const toUpstream = (req) => https.request({
		host: upstream.hostname, port: upstream.port || 443, method: req.method, path: req.url,
		headers: { ...req.headers, host: upstream.host }, agent: req.headers.upgrade ? false : agent, ...tls,
	});

	const server = https.createServer(own, (req, res) => {
		count(req);
		const out = toUpstream(req);
		out.on('response', (answer) => {
			res.writeHead(answer.statusCode, answer.headers);
			answer.on('error', () => res.destroy());
			answer.pipe(res);
		});
		// A client or the API server going away ends this request, never the proxy.
		for (const stream of [req, res, out]) stream.on('error', () => { out.destroy(); res.destroy(); });
		res.on('close', () => out.destroy());
		req.pipe(out);
	});
	server.on('upgrade', (req, socket, head) => {
		count(req);
		socket.on('error', () => undefined);
		const out = toUpstream(req);
		out.on('upgrade', (answer, upSocket, upHead) => {
			const lines = [`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage}`];
			for (let i = 0; i < answer.rawHeaders.length; i += 2) lines.push(`${answer.rawHeaders[i]}: ${answer.rawHeaders[i + 1]}`);
			socket.write(`${lines.join('\r\n')}\r\n\r\n`);
			if (upHead.length > 0) socket.write(upHead);
			if (head.length > 0) upSocket.write(head);
			upSocket.on('error', () => socket.destroy());
			socket.on('close', () => upSocket.destroy());
			upSocket.on('close', () => socket.destroy());
			upSocket.pipe(socket);
			socket.pipe(upSocket);
		});
		out.on('response', (answer) => {
			socket.end(`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage}\r\ncontent-length: 0\r\n\r\n`);
			answer.resume();
		});
		out.on('error', () => socket.destroy());
		out.end();
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const proxied = join(dir, 'kubeconfig');
	writeFileSync(proxied, text
		.replace(/server: \S+/, `server: https://127.0.0.1:${server.address().port}`)
		.replace(/certificate-authority-data: \S+/, `certificate-authority-data: ${own.cert.toString('base64')}`));
	return {
		kubeconfig: proxied,
		reset() { counts = new Map(); },
		counts() { return new Map(counts); },
		close() {
			server.closeAllConnections();
			server.close();
			agent.destroy();
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

/** The total of a `counts()` map. */
export const totalOf = (counts) => [...counts.values()].reduce((sum, n) => sum + n, 0);
