import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nameWords, proposeService } from '../../../out/vs-adapter/project/service-match.js';

const SERVICES = ['api', 'web', 'orders', 'orders-db', 'shop-api', 'payment-service', 'catalog'];

test('names split into the same words whatever the casing or separators', () => {
	for (const name of ['Shop.Api', 'shop-api', 'ShopApi', 'SHOPApi', 'shop_api', 'Shop Api']) assert.deepEqual(nameWords(name), ['shop', 'api'], name);
	assert.deepEqual(nameWords('HTTPServer2'), ['http', 'server2']);
});

test('the same words win over a suffix match: Shop.Api is shop-api when both exist', () => {
	const proposal = proposeService('Shop.Api', SERVICES);
	assert.equal(proposal.best, 'shop-api');
	assert.deepEqual(proposal.candidates.map((c) => c.service), ['shop-api', 'api']);
	assert.equal(proposal.candidates[1].why, 'the project name ends with the service name');
});

test('Shop.Api is api when the cluster has only api', () => {
	assert.equal(proposeService('Shop.Api', ['api', 'web']).best, 'api');
});

test('words like "service" and plurals do not stop a match', () => {
	assert.equal(proposeService('PaymentService', SERVICES).best, 'payment-service');
	assert.equal(proposeService('Payment', ['payment-service', 'web']).best, 'payment-service');
	assert.equal(proposeService('Contoso.Order', ['orders', 'web']).best, 'orders');
	assert.equal(proposeService('Shop.Orders.Service', SERVICES).best, 'orders');
});

test('a tie proposes nothing and lists the candidates for the user to pick', () => {
	const proposal = proposeService('Orders', ['orders-api', 'orders-worker', 'web']);
	assert.equal(proposal.best, null);
	assert.deepEqual(proposal.candidates.map((c) => [c.service, c.score]), [['orders-api', 50], ['orders-worker', 50]]);
	assert.equal(proposeService('Api', ['api', 'api']).candidates.length, 1, 'duplicates count once');
	assert.equal(proposeService('Api', ['api', 'api']).best, 'api');
});

test('nothing in common proposes nothing', () => {
	assert.deepEqual(proposeService('Inventory', SERVICES), { best: null, candidates: [] });
	assert.deepEqual(proposeService('Anything', []), { best: null, candidates: [] });
});
