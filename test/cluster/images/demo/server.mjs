// The demo application's only program: every service of the fixtures runs it with other
// flags. It answers HTTP with who it is and what it sees, calls other services by name on
// request, echoes TCP bytes and UDP datagrams, so tests can assert on real traffic.
import http from 'node:http';
import net from 'node:net';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

const args = new Map();
for (const arg of process.argv.slice(2)) {
  const [key, value] = arg.replace(/^--/, '').split('=');
  args.set(key, value ?? 'true');
}
const name = args.get('name') ?? 'demo';

function whoAmI() {
  return { service: name, pod: hostname(), namespace: process.env.POD_NAMESPACE ?? null };
}

async function call(target) {
  const res = await fetch(target, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.json().catch(() => null) };
}

function answer(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function route(req, res) {
  const url = new URL(req.url, 'http://local');
  switch (url.pathname) {
    case '/healthz':
      return answer(res, 200, { ok: true });
    case '/env':
      return answer(res, 200, { ...whoAmI(), env: process.env });
    case '/file':
      return answer(res, 200, { ...whoAmI(), content: readFileSync(url.searchParams.get('path'), 'utf8') });
    case '/call':
      return answer(res, 200, { ...whoAmI(), upstream: await call(url.searchParams.get('target')) });
    default:
      return answer(res, 200, { ...whoAmI(), path: url.pathname });
  }
}

for (const port of (args.get('http') ?? '').split(',').filter(Boolean)) {
  http.createServer((req, res) => {
    route(req, res).catch((error) => answer(res, 502, { ...whoAmI(), error: String(error) }));
  }).listen(Number(port));
}
for (const port of (args.get('echo') ?? '').split(',').filter(Boolean)) {
  net.createServer((socket) => socket.pipe(socket)).listen(Number(port));
}
for (const port of (args.get('udp') ?? '').split(',').filter(Boolean)) {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, peer) => socket.send(msg, peer.port, peer.address));
  socket.bind(Number(port));
}
process.on('SIGTERM', () => process.exit(0));
console.log(`${name} serving`, Object.fromEntries(args));
