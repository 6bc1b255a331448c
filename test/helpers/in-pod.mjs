// Scripts run inside a demo pod with its own node: callers in the cluster, as real
// clients of a service would be. They run asynchronously: the "local process" that must
// answer them lives in the test's own event loop.
import { DEMO_NAMESPACE, kubectlAsync } from './cluster.mjs';

async function execNode(pod, script, namespace = DEMO_NAMESPACE) {
	const { stdout } = await kubectlAsync(['exec', '-n', namespace, pod, '--', '/usr/local/bin/node', '-e', script]);
	return JSON.parse(stdout);
}

/** `count` HTTP GETs to `url`, each on a new connection (so kube-proxy spreads them), as JSON results. */
export function httpGets(pod, url, count, namespace) {
	const script = `
const http = require('node:http');
const one = (i) => new Promise((resolve) => {
  const req = http.get(${JSON.stringify(url)} + '/call-' + i, { agent: false, timeout: 10000 }, (res) => {
    let body = ''; res.on('data', (d) => body += d); res.on('end', () => resolve({ status: res.statusCode, body }));
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (e) => resolve({ error: e.code || e.message, ms: Date.now() - started }));
  const started = Date.now();
});
(async () => { const out = []; for (let i = 0; i < ${count}; i++) out.push(await one(i)); console.log(JSON.stringify(out)); })();`;
	return execNode(pod, script, namespace);
}

/** Sends `megabytes` of random bytes to host:port, half-closes, and reports whether the echo matched. */
export function tcpEcho(pod, host, port, megabytes, namespace) {
	const script = `
const net = require('node:net'); const crypto = require('node:crypto');
const data = crypto.randomBytes(${megabytes} * 1024 * 1024);
const socket = net.connect({ host: ${JSON.stringify(host)}, port: ${port}, allowHalfOpen: true });
const chunks = [];
socket.on('data', (c) => chunks.push(c));
socket.on('end', () => { const back = Buffer.concat(chunks); console.log(JSON.stringify({ sent: data.length, received: back.length, equal: back.equals(data) })); socket.end(); });
socket.on('error', (e) => console.log(JSON.stringify({ error: e.code || e.message })));
socket.end(data);`;
	return execNode(pod, script, namespace);
}
