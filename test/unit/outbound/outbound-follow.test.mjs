// Outbound while a session lasts: services that come, change their ports or go after
// connect get addresses, names and listeners, or lose them, with the cluster replaced at
// its seams (the dial, and the read of what the namespaces hold). Connections open on a
// service that went finish; a failed read or write keeps the set as it is and is retried.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planHostsEntries } from '../../../out/server/hosts/hosts-plan.js';
import { assignLoopbackAddresses } from '../../../out/server/hosts/loopback-addresses.js';
import { Logger } from '../../../out/server/log/logger.js';
import { Outbound } from '../../../out/server/outbound/outbound.js';
import { describeOutboundChange } from '../../../out/server/outbound/service-follower.js';
import { echoingDial, roundTrip } from '../../helpers/echoing-dial.mjs';

const folder = mkdtempSync(join(tmpdir(), 'kb-outbound-follow-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const logger = new Logger(null);

const service = (name, port, dials = `10.96.0.${port % 250}`) => ({ namespace: 'shop', service: name, dials, ports: [{ port, name: 'web', dialPort: port }] });
const orders = service('orders', 18181);
const payments = service('payments', 18182);
const byName = (info, name) => info.services.find((s) => s.service === name);
const noChange = { added: [], removed: [], changed: [] };

/** A connection left open: each `say` is answered before the next, and `finish` half-closes and reads the rest. */
async function openConnection(address, port) {
	const socket = net.connect(port, address);
	await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
	const say = (text) => new Promise((resolve) => { socket.once('data', (d) => resolve(String(d))); socket.write(text); });
	const finish = (text) => new Promise((resolve, reject) => {
		let rest = '';
		socket.on('data', (d) => { rest += d; });
		socket.once('end', () => resolve(rest));
		socket.once('error', reject);
		socket.end(text);
	});
	return { say, finish };
}

test('a service that comes gets an address, names and listeners; one whose ports change keeps its address; one that goes stops listening but its open connection finishes', async () => {
	const path = join(folder, 'hosts');
	const original = '127.0.0.1 localhost\n';
	writeFileSync(path, original);
	const outbound = new Outbound('follow1', { hostsPath: path }, echoingDial([]), logger);
	const before = byName(await outbound.start([orders], 'shop'), 'orders');
	const held = await openConnection(before.address, before.ports[0].localPort);
	assert.equal(await held.say('first'), 'FIRST');

	assert.deepEqual(await outbound.update([orders, payments]), { ...noChange, added: ['payments.shop'] });
	const grown = outbound.info();
	assert.deepEqual(byName(grown, 'orders'), { ...before, ports: [{ ...before.ports[0], connections: 1, activeConnections: 1, bytesOut: 5, bytesIn: 5 }] },
		'orders keeps its address, its listener and its connection');
	const added = byName(grown, 'payments');
	assert.equal(added.address.split('.').slice(0, 2).join('.'), before.address.split('.').slice(0, 2).join('.'), 'in the session\'s range');
	assert.notEqual(added.address, before.address);
	const file = readFileSync(path, 'latin1');
	assert.ok(file.startsWith(original));
	assert.equal(file.match(/# >>> kubebridge/g).length, 1, 'one block, rewritten');
	for (const name of added.names) assert.match(file, new RegExp(`^${added.address.replace(/\./g, '\\.')} ${name.replace(/\./g, '\\.')}$`, 'm'));
	assert.equal(await roundTrip(added.address, added.ports[0].localPort, 'pay'), 'PAY');

	const moved = { ...payments, ports: [{ port: 18183, name: 'web', dialPort: 18183 }] };
	assert.deepEqual(await outbound.update([orders, moved]), { ...noChange, changed: ['payments.shop'] });
	const changed = byName(outbound.info(), 'payments');
	assert.deepEqual([changed.address, changed.ports[0].port], [added.address, 18183]);
	assert.equal(await roundTrip(changed.address, changed.ports[0].localPort, 'moved'), 'MOVED');
	await assert.rejects(roundTrip(added.address, added.ports[0].localPort, 'x'), /ECONNREFUSED/, 'the old port no longer listens');

	assert.deepEqual(await outbound.update([moved]), { ...noChange, removed: ['orders.shop'] });
	assert.deepEqual(outbound.info().services.map((s) => s.service), ['payments']);
	assert.doesNotMatch(readFileSync(path, 'latin1'), / orders\b/, 'its names are gone');
	await assert.rejects(roundTrip(before.address, before.ports[0].localPort, 'x'), /ECONNREFUSED/);
	assert.equal(await held.finish('last'), 'LAST', 'the connection open when it went finishes');

	assert.deepEqual(await outbound.update([moved]), noChange, 'nothing new, nothing done');
	assert.match(describeOutboundChange({ added: ['a.shop'], removed: ['b.shop'], changed: [] }), /now: a\.shop\..*: b\.shop\./);
	await outbound.stop();
	assert.equal(readFileSync(path, 'latin1'), original);
});

test('a write of the names that fails changes nothing; the next pass makes the change and reports it', async () => {
	const path = join(folder, 'hosts-broken');
	writeFileSync(path, '127.0.0.1 localhost\n');
	const outbound = new Outbound('follow2', { hostsPath: path }, echoingDial([]), logger);
	await outbound.start([orders], 'shop');
	const good = readFileSync(path);
	appendFileSync(path, '\0');
	await assert.rejects(outbound.update([payments]), /NUL/);
	assert.deepEqual(outbound.info().services.map((s) => s.service), ['orders'], 'the set as it was');
	const { address, ports } = byName(outbound.info(), 'orders');
	assert.equal(await roundTrip(address, ports[0].localPort, 'still'), 'STILL');
	writeFileSync(path, good);
	assert.deepEqual(await outbound.update([payments]), { added: ['payments.shop'], removed: ['orders.shop'], changed: [] });
	await outbound.stop();
	assert.equal(readFileSync(path, 'latin1'), '127.0.0.1 localhost\n');
});

test('in no-hosts mode a service that comes gets a port of 127.0.0.1 and no names', async () => {
	const outbound = new Outbound('follow3', { hostsFile: false }, echoingDial([]), logger);
	await outbound.start([orders], 'shop');
	assert.deepEqual(await outbound.update([orders, payments]), { ...noChange, added: ['payments.shop'] });
	const added = byName(outbound.info(), 'payments');
	assert.deepEqual([added.address, added.names], ['127.0.0.1', []]);
	assert.equal(await roundTrip('127.0.0.1', added.ports[0].localPort, 'no names'), 'NO NAMES');
	assert.equal(outbound.localServices('shop').get('payments').host, '127.0.0.1', 'the service env vars point at it');
	await outbound.stop();
});

test('a port a later service needs is held: nobody is asked mid-session, it listens on another port and says so until it goes', async () => {
	const path = join(folder, 'hosts-held');
	writeFileSync(path, '127.0.0.1 localhost\n');
	const address = planHostsEntries([orders, payments], 'shop', 0).addresses.get('shop/payments');
	const holder = net.createServer().listen(18182, address);
	await once(holder, 'listening');
	const outbound = new Outbound('follow5', { hostsPath: path }, echoingDial([]), logger, () => assert.fail('asked mid-session'));
	await outbound.start([orders], 'shop');
	await outbound.update([orders, payments]);
	const added = byName(outbound.info(), 'payments');
	assert.equal(added.address, address);
	assert.notEqual(added.ports[0].localPort, 18182);
	assert.ok(outbound.info().notes.some((n) => n.includes(`${address}:18182 is held by pid ${process.pid}`)), outbound.info().notes.join('\n'));
	await outbound.update([orders]);
	assert.deepEqual(outbound.info().notes, [], 'the note went with the service');
	await outbound.stop();
	holder.close();
});

test('following: a read that fails keeps the set, is logged once and retried later and later; the change that follows is reported; stop ends it', async () => {
	const entries = [];
	const watched = new Logger(null);
	watched.attach((entry) => entries.push(entry));
	const outbound = new Outbound('follow4', { hostsFile: false }, echoingDial([]), watched);
	await outbound.start([orders], 'shop');
	const reads = [];
	const answers = [() => Promise.reject(new Error('connection refused')), () => Promise.reject(new Error('connection refused')),
		() => Promise.reject(new Error('connection refused')), () => Promise.resolve([orders, payments])];
	const changes = [];
	const reported = new Promise((resolve) => outbound.follow(() => {
		reads.push(Date.now());
		assert.deepEqual(outbound.info().services.map((s) => s.service), ['orders'], 'the set stays while reads fail');
		return (answers.shift() ?? (() => Promise.resolve([orders, payments])))();
	}, (change) => { changes.push(change); resolve(); }, 20));
	await reported;
	assert.deepEqual(changes, [{ ...noChange, added: ['payments.shop'] }]);
	const waits = reads.slice(1).map((at, i) => at - reads[i]);
	assert.ok(waits[0] >= 35 && waits[1] >= 75 && waits[2] >= 155, `each retry waits twice as long: ${waits.join(', ')} ms`);
	const failures = entries.filter((e) => e.message.startsWith('following the services failed'));
	assert.deepEqual(failures.map((e) => e.level), ['warning', 'debug', 'debug'], 'the same failure is a warning once');
	assert.ok(entries.some((e) => e.message === 'following the services again'));
	await outbound.stop();
	const count = reads.length;
	await new Promise((resolve) => setTimeout(resolve, 100));
	assert.equal(reads.length, count, 'no read after stop');
	assert.deepEqual(outbound.info().services, []);
});

test('addresses already in use stay where they are and new targets take slots around them', () => {
	const targets = [{ namespace: 'shop', service: 'orders' }, { namespace: 'shop', service: 'payments' }];
	const fresh = assignLoopbackAddresses(0, targets);
	// payments holds the slot orders would hash to: orders moves to the next one, payments stays.
	const kept = new Map([['shop/payments', fresh.get('shop/orders')]]);
	const around = assignLoopbackAddresses(0, targets, kept);
	assert.equal(around.get('shop/payments'), fresh.get('shop/orders'));
	const [, , high, low] = fresh.get('shop/orders').split('.').map(Number);
	const next = high * 254 + low; // the slot after orders' own
	assert.equal(around.get('shop/orders'), `127.1.${Math.floor(next / 254)}.${(next % 254) + 1}`);
});
