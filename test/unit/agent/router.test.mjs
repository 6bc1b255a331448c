// The router of a shared Service, on this machine's loopback: the "original pods" answer on
// 127.0.0.2, a session's agent pod on 127.0.0.3, a mirror's on 127.0.0.4, all on the same
// port as in a cluster. The API server is the seam: a stand-in that answers the two GETs the
// route table makes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { RouteTable } from '../../../out/agent/src/route-table.js';
import { listenRouted, sniff } from '../../../out/agent/src/router.js';
import { ROUTING_ANNOTATION } from '../../../out/agent/src/contract/routing-record.js';
import { dualServer } from '../../helpers/dual-server.mjs';
import { freePort } from '../../helpers/local-agent.mjs';
import { waitUntil } from '../../helpers/wait-until.mjs';

const port = await freePort();
// The raw TCP port: a second free port, not port + 1, which another process may hold.
const rawPort = await freePort();
const originals = await dualServer({ port, host: '127.0.0.2', name: 'original' });
const alice = await dualServer({ port, host: '127.0.0.3', name: 'alice' });
const mirror = await dualServer({ port, host: '127.0.0.4', name: 'mirror' });
const echo = net.createServer((socket) => socket.pipe(socket));
await new Promise((resolve) => echo.listen(rawPort, '127.0.0.2', resolve));

let routes = [{ session: 'a1', mode: 'route', header: 'x-dev', value: 'alice', pod: '127.0.0.3', holder: 'alice@laptop pid 1' }];
const api = {
	namespace: 'shop',
	async call(_method, path) {
		if (path.endsWith('/kubebridge-originals-api')) return { status: 200, body: { spec: { clusterIP: '127.0.0.2' } } };
		return { status: 200, body: { metadata: { annotations: { [ROUTING_ANNOTATION]: JSON.stringify({ selector: { app: 'api' }, router: 'r', routes }) } }, spec: {} } };
	},
};
const table = new RouteTable(api, 'api');
void table.follow();
await waitUntil(() => table.ready);
const routers = [await listenRouted(table, 'router-0', port, '127.0.0.1'), await listenRouted(table, 'router-0', rawPort, '127.0.0.1')];
after(async () => {
	table.stop();
	for (const server of routers) server.close();
	echo.close();
	await Promise.all([originals.close(), alice.close(), mirror.close()]);
});

const h1Get = (agent, path, headers = {}) => new Promise((resolve, reject) => {
	http.get({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
		let body = '';
		res.on('data', (d) => { body += d; });
		res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: JSON.parse(body || 'null') }));
	}).on('error', reject);
});

test('what the first bytes of a connection say it speaks', () => {
	assert.equal(sniff(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')), 'http2');
	assert.equal(sniff(Buffer.from('PRI * HT')), null, 'a preface cut short waits for more');
	assert.equal(sniff(Buffer.from('GET / HTTP/1.1\r\n')), 'http1');
	assert.equal(sniff(Buffer.from('POS')), null);
	assert.equal(sniff(Buffer.from('\x16\x03\x01\x02')), 'raw', 'a TLS hello is not inspected');
	assert.equal(sniff(Buffer.from('hello there\n')), 'raw');
});

test('HTTP/1.1 keep-alive: requests on one connection go each where its own header says', async () => {
	const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
	const sockets = new Set();
	agent.on('free', (socket) => sockets.add(socket));
	const answers = [];
	for (let i = 0; i < 30; i++) {
		const headers = i % 3 === 0 ? { 'x-dev': 'alice' } : i % 3 === 1 ? { 'x-dev': 'bob' } : {};
		answers.push({ i, answer: await h1Get(agent, `/h1-${i}`, headers) });
	}
	agent.destroy();
	assert.equal(sockets.size, 1, 'all 30 requests shared one connection');
	for (const { i, answer } of answers) {
		assert.equal(answer.status, 200);
		assert.equal(answer.body.who, i % 3 === 0 ? 'alice' : 'original', `request ${i}`);
		assert.equal(answer.body.path, `/h1-${i}`);
	}
});

test('HTTP/2: streams of one connection go each where its own header says, trailers and bodies included', async () => {
	const session = http2.connect(`http://127.0.0.1:${port}`);
	const one = (i, headers) => new Promise((resolve, reject) => {
		const stream = session.request({ ':method': 'POST', ':path': `/h2-${i}`, ...headers });
		let body = '';
		let trailers = null;
		stream.on('data', (d) => { body += d; });
		stream.on('trailers', (t) => { trailers = t; });
		stream.on('end', () => resolve({ body: JSON.parse(body), trailers }));
		stream.on('error', reject);
		stream.end(`payload-${i}`);
	});
	const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => one(i, i % 2 === 0 ? { 'x-dev': 'alice' } : {})));
	session.close();
	answers.forEach(({ body, trailers }, i) => {
		assert.equal(body.who, i % 2 === 0 ? 'alice' : 'original', `stream ${i}`);
		assert.equal(body.proto, 'h2');
		assert.equal(body.body, `payload-${i}`);
		assert.equal(trailers?.['grpc-status'], '0');
	});
});

test('a connection that is not HTTP goes to the originals as bytes', async () => {
	const socket = net.connect(rawPort, '127.0.0.1');
	const back = [];
	socket.on('data', (d) => back.push(d));
	socket.write('\x00\x01binary bytes that are no request line\n');
	await waitUntil(() => Buffer.concat(back).length >= 38);
	socket.destroy();
	assert.equal(Buffer.concat(back).toString('latin1'), '\x00\x01binary bytes that are no request line\n');
});

test('a probe is answered by the router itself, naming the sessions it knows', async () => {
	const answer = await new Promise((resolve, reject) => {
		http.get({ host: '127.0.0.1', port, path: '/', headers: { 'kubebridge-route-probe': 'n1' }, agent: false }, (res) => { res.resume(); resolve(res); }).on('error', reject);
	});
	assert.equal(answer.statusCode, 204);
	assert.equal(answer.headers['kubebridge-router'], 'router-0');
	assert.equal(answer.headers['kubebridge-routes'], 'a1');
});

test('a route whose agent pod does not answer fails with a reason the caller can read', async () => {
	routes = [{ session: 'gone', mode: 'route', header: 'x-dev', value: 'carol', pod: '127.0.0.9', holder: 'carol' }];
	await waitUntil(() => table.sessions().includes('gone'));
	const answer = await h1Get(false, '/x', { 'x-dev': 'carol' });
	assert.equal(answer.status, 502);
	assert.equal(answer.headers['kubebridge-route-error'], 'sessionUnreachable');
	assert.equal(answer.body.reason, 'sessionUnreachable');
});

test('mirror: the originals answer every request, the mirror gets a copy of each', async () => {
	routes = [{ session: 'm1', mode: 'mirror', pod: '127.0.0.4', holder: 'm' }];
	await waitUntil(() => table.sessions().includes('m1'));
	const before = mirror.seen.length;
	const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
	for (let i = 0; i < 10; i++) assert.equal((await h1Get(agent, `/m-${i}`)).body.who, 'original');
	agent.destroy();
	const session = http2.connect(`http://127.0.0.1:${port}`);
	await new Promise((resolve) => {
		const stream = session.request({ ':path': '/m-h2' });
		stream.resume();
		stream.on('end', resolve);
		stream.end();
	});
	session.close();
	await waitUntil(() => mirror.seen.length >= before + 11);
	assert.deepEqual(mirror.seen.slice(before).map((s) => s.path).sort(), [...Array.from({ length: 10 }, (_, i) => `/m-${i}`), '/m-h2'].sort());
});
