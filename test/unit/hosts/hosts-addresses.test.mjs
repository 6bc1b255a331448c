import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignLoopbackAddresses, loopbackAliasCommands, pickSessionIndex } from '../../../out/server/hosts/loopback-addresses.js';
import { clusterNames, isHostName, isLoopbackAddress } from '../../../out/server/hosts/host-names.js';
import { planHostsEntries } from '../../../out/server/hosts/hosts-plan.js';

const targets = [
	{ namespace: 'shop', service: 'orders' },
	{ namespace: 'shop', service: 'db' },
	{ namespace: 'shop', service: 'db', pod: 'db-0' },
	{ namespace: 'shop', service: 'db', pod: 'db-1' },
	{ namespace: 'billing', service: 'invoices' },
];

test('each target gets its own address in the session\'s 127.(k+1)/16, never 127.0.0.x', () => {
	const addresses = assignLoopbackAddresses(0, targets);
	assert.equal(addresses.size, 5);
	assert.equal(new Set(addresses.values()).size, 5);
	for (const address of addresses.values()) {
		assert.match(address, /^127\.1\.\d+\.\d+$/);
		const last = Number(address.split('.')[3]);
		assert.ok(last >= 1 && last <= 254 && isLoopbackAddress(address));
	}
	for (const address of assignLoopbackAddresses(253, targets).values()) assert.match(address, /^127\.254\./);
	assert.throws(() => assignLoopbackAddresses(254, targets));
});

test('the scheme is stable: the same in any order, and unchanged by an added service', () => {
	const first = assignLoopbackAddresses(3, targets);
	assert.deepEqual(assignLoopbackAddresses(3, [...targets].reverse()), first);
	const grown = assignLoopbackAddresses(3, [...targets, { namespace: 'shop', service: 'payments' }]);
	for (const [key, address] of first) assert.equal(grown.get(key), address, key);
});

/** The documented formula, computed apart from the module (BigInt FNV-1a, checked on its published vector). */
function documented(sessionIndex, key) {
	let hash = 0x811c9dc5n;
	for (const byte of Buffer.from(key)) hash = ((hash ^ BigInt(byte)) * 0x01000193n) & 0xffffffffn;
	const slot = Number(hash % 65024n);
	return { hash, address: `127.${sessionIndex + 1}.${Math.floor(slot / 254)}.${(slot % 254) + 1}` };
}

test('addresses follow the formula in docs/outbound.md', () => {
	assert.equal(documented(0, 'a').hash, 0xe40c292cn, 'FNV-1a test vector');
	const addresses = assignLoopbackAddresses(3, targets);
	for (const key of ['shop/orders', 'billing/invoices', 'shop/db/db-0']) assert.equal(addresses.get(key), documented(3, key).address, key);
});

test('colliding targets probe to the next free slot', () => {
	const many = Array.from({ length: 3000 }, (_, i) => ({ namespace: 'n', service: `s${i}` }));
	const addresses = assignLoopbackAddresses(0, many);
	assert.equal(new Set(addresses.values()).size, 3000);
});

test('a new session takes the lowest range no live session uses', () => {
	assert.equal(pickSessionIndex([]), 0);
	assert.equal(pickSessionIndex(['127.1.4.17', '127.1.9.3', '127.3.0.1']), 1);
	assert.throws(() => pickSessionIndex(Array.from({ length: 254 }, (_, i) => `127.${i + 1}.0.1`)), (e) => e.data.reason === 'invalidHostsEntry');
});

test('cluster names: short forms only for the home namespace; pod names of headless services', () => {
	assert.deepEqual(clusterNames({ namespace: 'shop', service: 'orders' }, 'shop'),
		['orders', 'orders.shop', 'orders.shop.svc', 'orders.shop.svc.cluster.local']);
	assert.deepEqual(clusterNames({ namespace: 'billing', service: 'invoices' }, 'shop', 'corp.internal'),
		['invoices.billing', 'invoices.billing.svc', 'invoices.billing.svc.corp.internal']);
	assert.deepEqual(clusterNames({ namespace: 'shop', service: 'db', pod: 'db-0' }, 'shop'),
		['db-0.db', 'db-0.db.shop', 'db-0.db.shop.svc', 'db-0.db.shop.svc.cluster.local']);
	assert.throws(() => clusterNames({ namespace: 'shop', service: 'Bad_Name' }, 'shop'), (e) => e.data.reason === 'invalidHostsEntry');
});

test('RFC 1123 names and loopback addresses', () => {
	for (const ok of ['a', 'orders', 'db-0.db.shop.svc.cluster.local', '0x', `${'a'.repeat(63)}.b`]) assert.ok(isHostName(ok), ok);
	for (const bad of ['', '-a', 'a-', 'a_b', 'a..b', '.a', 'a.', `${'a'.repeat(64)}`, 'a b', `${'a.'.repeat(127)}a`]) assert.ok(!isHostName(bad), bad);
	for (const ok of ['127.0.0.1', '127.1.4.17', '127.255.255.254']) assert.ok(isLoopbackAddress(ok), ok);
	for (const bad of ['128.0.0.1', '127.1.4', '127.1.4.256', '127.01.4.1', '127.0.0.0', '::1', ' 127.0.0.1']) assert.ok(!isLoopbackAddress(bad), bad);
});

test('macOS aliases: one ifconfig lo0 command per address', () => {
	assert.deepEqual(loopbackAliasCommands(['127.1.0.5', '127.1.0.5', '127.1.0.6'], 'add'),
		[['/sbin/ifconfig', 'lo0', 'alias', '127.1.0.5', 'up'], ['/sbin/ifconfig', 'lo0', 'alias', '127.1.0.6', 'up']]);
	assert.deepEqual(loopbackAliasCommands(['127.1.0.5'], 'remove'), [['/sbin/ifconfig', 'lo0', '-alias', '127.1.0.5']]);
	assert.throws(() => loopbackAliasCommands(['10.0.0.1'], 'add'));
});

test('a plan gives each target its names at its address', () => {
	const plan = planHostsEntries(targets, 'shop', 0);
	assert.equal(plan.entries.length, 5);
	const orders = plan.entries.find((e) => e.names.includes('orders'));
	assert.equal(orders.address, plan.addresses.get('shop/orders'));
	assert.equal(plan.entries.find((e) => e.names.includes('db-1.db')).address, plan.addresses.get('shop/db/db-1'));
});
