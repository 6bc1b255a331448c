// Outbound access on this machine, with the cluster side replaced at its seam (the dial):
// which services get addresses, that bytes cross a listener both ways with their counts,
// how a taken port is reported or freed, and that the hosts file comes back byte for byte.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbound } from '../../../out/server/outbound/outbound.js';
import { outboundTargets } from '../../../out/server/outbound/outbound-targets.js';
import { planHostsEntries } from '../../../out/server/hosts/hosts-plan.js';
import { Logger } from '../../../out/server/log/logger.js';
import { echoingDial, roundTrip } from '../../helpers/echoing-dial.mjs';

const folder = mkdtempSync(join(tmpdir(), 'kb-outbound-unit-'));
const children = [];
after(() => {
	for (const child of children) child.kill('SIGKILL');
	rmSync(folder, { recursive: true, force: true });
});
const logger = new Logger(null);

const service = (name, spec) => ({ metadata: { name, namespace: 'shop' }, spec });
const pod = (name, labels, spec = {}) => ({ metadata: { name, namespace: 'shop', labels }, spec: { containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }], ...spec } });

test('which services get an address, and what the agent dials for each', () => {
	const targets = outboundTargets({
		services: [
			service('orders', { clusterIP: '10.96.0.10', selector: { app: 'orders' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }, { name: 'dns', port: 53, protocol: 'UDP' }] }),
			service('db', { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'pg', port: 5432, targetPort: 'http' }] }),
			service('ext', { type: 'ExternalName', externalName: 'example.test', ports: [{ port: 443 }] }),
			service('udp-only', { clusterIP: '10.96.0.11', ports: [{ port: 53, protocol: 'UDP' }] }),
		],
		pods: [pod('db-0', { app: 'db' }, { hostname: 'db-0', subdomain: 'db' }), pod('db-1', { app: 'db' }, { hostname: 'db-1', subdomain: 'db' }), pod('other', { app: 'x' })],
		replicaSets: [], deployments: [], statefulSets: [],
	});
	assert.deepEqual(targets.map((t) => [t.service, t.pod ?? null, t.dials, t.ports.map((p) => `${p.port}>${p.dialPort}`).join()]), [
		['orders', null, '10.96.0.10', '80>80,53>53'],
		['db', null, 'db.shop.svc', '5432>8080'],
		['db', 'db-0', 'db-0.db.shop.svc', '5432>8080'],
		['db', 'db-1', 'db-1.db.shop.svc', '5432>8080'],
		['ext', null, 'example.test', '443>443'],
		['udp-only', null, '10.96.0.11', '53>53'],
	]);
	assert.deepEqual(targets[0].ports.map((p) => p.protocol), ['TCP', 'UDP']);
});

test('a UDP port listens for datagrams: each local sender gets its own flow through the dial, replies come back to it, and the datagrams are counted', async () => {
	const dialled = [];
	const outbound = new Outbound('unit7', { hostsFile: false }, echoingDial(dialled), logger);
	const dns = { namespace: 'shop', service: 'dns', dials: '10.96.0.10', ports: [{ port: 53, name: 'dns', protocol: 'UDP', dialPort: 53 }, { port: 53, name: 'dns-tcp', protocol: 'TCP', dialPort: 53 }] };
	const info = await outbound.start([dns], 'shop');
	const [udp, tcp] = info.services[0].ports;
	assert.deepEqual([udp.protocol, tcp.protocol], ['UDP', 'TCP']);
	const senders = [createSocket('udp4'), createSocket('udp4')];
	try {
		const ask = (socket, text) => new Promise((resolve) => {
			socket.once('message', (reply) => resolve(String(reply)));
			socket.send(text, udp.localPort, '127.0.0.1');
		});
		assert.equal(await ask(senders[0], 'one'), 'ONE');
		assert.equal(await ask(senders[1], 'two'), 'TWO');
		assert.equal(await ask(senders[0], 'three'), 'THREE');
		assert.deepEqual(dialled, ['10.96.0.10:53/udp', '10.96.0.10:53/udp'], 'one flow per sender');
		const counted = outbound.info().services[0].ports[0];
		assert.deepEqual([counted.connections, counted.activeConnections, counted.bytesOut, counted.datagrams], [2, 2, 11, { out: 3, in: 3, droppedOversize: 0, droppedBacklog: 0 }]);
		assert.equal(await roundTrip('127.0.0.1', tcp.localPort, 'tcp too'), 'TCP TOO');
	} finally {
		for (const socket of senders) socket.close();
		await outbound.stop();
	}
});

const target = { namespace: 'shop', service: 'orders', dials: '10.96.0.10', ports: [{ port: 18080, name: 'web', dialPort: 8080 }] };

test('a listener per service port carries bytes both ways through the dial and counts them; stop gives the file back', async () => {
	const path = join(folder, 'hosts');
	const original = '127.0.0.1 localhost\r\n# mine';
	writeFileSync(path, original);
	const dialled = [];
	const outbound = new Outbound('unit1', { hostsPath: path }, echoingDial(dialled), logger);
	const info = await outbound.start([target], 'shop');
	const orders = info.services[0];
	assert.equal(info.mode, 'names');
	assert.deepEqual(orders.names, ['orders', 'orders.shop', 'orders.shop.svc', 'orders.shop.svc.cluster.local']);
	assert.match(readFileSync(path, 'latin1'), new RegExp(`${orders.address.replace(/\./g, '\\.')} orders\\r\\n`));
	assert.equal(await roundTrip(orders.address, orders.ports[0].localPort, 'hello cluster'), 'HELLO CLUSTER');
	assert.deepEqual(dialled, ['10.96.0.10:8080']);
	const counted = outbound.info().services[0].ports[0];
	assert.deepEqual([counted.connections, counted.bytesOut, counted.bytesIn], [1, 13, 13]);
	assert.deepEqual([...outbound.localServices('shop')], [['orders', { host: orders.address, ports: { 18080: orders.ports[0].localPort } }]]);
	await outbound.stop();
	assert.equal(readFileSync(path, 'latin1'), original);
	await assert.rejects(roundTrip(orders.address, orders.ports[0].localPort, 'x'), /ECONNREFUSED/);
});

test('an external endpoint gets a port of 127.0.0.1, no name, and the agent dials the outside host', async () => {
	const dialled = [];
	const outbound = new Outbound('unit6', { hostsFile: false, externalEndpoints: [{ host: 'db.example.test', port: 5432 }] }, echoingDial(dialled), logger);
	const info = await outbound.start([], 'shop');
	const [external] = info.external;
	assert.deepEqual([external.host, external.port, external.address], ['db.example.test', 5432, '127.0.0.1']);
	assert.equal(outbound.externalEndpoint('db.example.test', 5432), `127.0.0.1:${external.localPort}`);
	assert.equal(outbound.externalEndpoint('db.example.test', 5433), undefined);
	assert.equal(await roundTrip('127.0.0.1', external.localPort, 'select 1'), 'SELECT 1');
	assert.deepEqual(dialled, ['db.example.test:5432']);
	await outbound.stop();
});

test('a dial the cluster refuses resets the local connection', async () => {
	const outbound = new Outbound('unit2', { hostsFile: false }, () => Promise.reject(new Error('502')), logger);
	const info = await outbound.start([target], 'shop');
	assert.equal(info.mode, 'noHosts');
	assert.match(info.notes[0], /do not resolve/);
	const port = info.services[0].ports[0].localPort;
	const error = await roundTrip('127.0.0.1', port, 'x').then(() => null, (e) => e);
	assert.equal(error?.code, 'ECONNRESET');
	await outbound.stop();
});

async function holdPort(address, port) {
	const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${port}, '${address}', () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
	children.push(child);
	await once(child.stdout, 'data');
	return child;
}

test('a taken port: its holder is named and another port used, or, when allowed, the holder is stopped', async () => {
	const path = join(folder, 'hosts-busy');
	writeFileSync(path, '127.0.0.1 localhost\n');
	const address = planHostsEntries([target], 'shop', 0).addresses.get('shop/orders');
	const holder = await holdPort(address, 18080);
	const holderExited = once(holder, 'exit');

	const moved = new Outbound('unit3', { hostsPath: path }, echoingDial([]), logger);
	const info = await moved.start([target], 'shop');
	assert.notEqual(info.services[0].ports[0].localPort, 18080);
	assert.ok(info.notes.some((n) => n.includes(`pid ${holder.pid}`) && n.includes('require(')), info.notes.join('\n'));
	await moved.stop();
	assert.equal(holder.exitCode, null, 'without consent the holder keeps running');

	const asked = [];
	const refused = new Outbound('unit5', { hostsPath: path }, echoingDial([]), logger, async (question) => { asked.push(question); return false; });
	assert.notEqual((await refused.start([target], 'shop')).services[0].ports[0].localPort, 18080);
	await refused.stop();
	assert.deepEqual(asked.map((q) => [q.address, q.port, q.service, q.holders[0].pid]), [[address, 18080, 'orders.shop', holder.pid]]);
	assert.match(asked[0].message, /Stop it\?/);
	assert.equal(holder.exitCode, null, 'the user said no');

	// The options decide first; the question is for when they leave it open.
	const freeing = new Outbound('unit4', { hostsPath: path, freeBusyPorts: true }, echoingDial([]), logger, () => assert.fail('not asked'));
	const freed = await freeing.start([target], 'shop');
	assert.equal(freed.services[0].ports[0].localPort, 18080);
	assert.ok(freed.notes.some((n) => n.includes('stopped')));
	const [, signal] = await holderExited;
	assert.equal(signal, 'SIGTERM', 'asked to stop politely first');
	await freeing.stop();
	assert.equal(readFileSync(path, 'latin1'), '127.0.0.1 localhost\n');
});
