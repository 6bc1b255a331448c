// Outbound follows the namespace while a session lasts: a Service created after connect
// answers here by its cluster name, and once deleted its names and its listener go. The
// sidecar runs as its packaged executable as a developer bound to the Role of
// docs/rbac.md; the hosts file is a copy given by path.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import {
	appManifests, apply, connectAsDeveloper, createNamespace, disconnectAndExit, httpGet, kubectlAsync, nextChange,
	rolloutDone, startLocalServer, waitFor,
} from '../../helpers/workload-fixtures.mjs';
import { resolver } from '../../helpers/hosts-resolver.mjs';
import { clusterTestSpace } from '../../helpers/test-space.mjs';

const space = clusterTestSpace('kb-follow');
const { ns, folder, sidecars } = space;

/** Whether something listens on `address:port`: a connection is accepted, or refused. */
const listening = (address, port) => new Promise((resolve) => {
	const socket = net.connect(port, address, () => { socket.destroy(); resolve(true); });
	socket.on('error', (error) => resolve(error.code !== 'ECONNREFUSED'));
});

before(async () => {
	createNamespace(ns);
	apply(appManifests(ns, 'api'));
	await rolloutDone(ns, 'api');
	space.local = await startLocalServer();
});


test('a Service created while connected answers here by its name; deleted, its names and listener go', async () => {
	const path = join(folder, 'hosts');
	const original = '127.0.0.1 localhost\n';
	writeFileSync(path, original);
	const { sidecar, connected } = await connectAsDeveloper(ns, [{ service: 'api', localPort: space.local.port }], { outbound: { hostsPath: path } });
	sidecars.push(sidecar);
	assert.ok(!connected.outbound.services.some((s) => s.service === 'late'));

	// kubectl runs asynchronously: the sidecar's notifications keep flowing meanwhile.
	const manifests = join(folder, 'late.json');
	writeFileSync(manifests, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: appManifests(ns, 'late') }));
	await kubectlAsync(['apply', '-f', manifests]);
	const added = await nextChange(sidecar, 'outboundChanged', (p) => p.services.includes(`late.${ns}`));
	assert.match(added.params.message, new RegExp(`Reachable from this machine now: late\\.${ns}\\.`));
	await rolloutDone(ns, 'late');

	const names = resolver(readFileSync(path, 'latin1'));
	const address = names.get('late');
	assert.match(address ?? '', /^127\.\d+\.\d+\.\d+$/, 'late has a loopback address in the block');
	for (const name of [`late.${ns}`, `late.${ns}.svc`, `late.${ns}.svc.cluster.local`]) assert.equal(names.get(name), address, name);
	assert.equal(names.get('api'), connected.outbound.services.find((s) => s.service === 'api').address, 'the others keep their address');
	const status = (await sidecar.client.request('session/status', {})).result;
	const late = status.outbound.services.find((s) => s.service === 'late');
	assert.equal(late.address, address);
	const { localPort } = late.ports[0];
	assert.equal(late.ports[0].port, 80);
	// kube-proxy programs the new Service's cluster IP on its own time.
	const response = await waitFor('late to answer by its name from this machine', async () => {
		const r = await httpGet(`http://${address}:${localPort}/late`, { headers: { host: 'late' } });
		return r.status === 200 && r;
	}, { ms: 30_000, every: 500 });
	const body = JSON.parse(response.body);
	assert.deepEqual([body.service, body.namespace, body.path], ['late', ns, '/late']);

	await kubectlAsync(['delete', 'service', 'late', '-n', ns, '--wait=false']);
	const removed = await nextChange(sidecar, 'outboundChanged', (p) => p.services.includes(`late.${ns}`));
	assert.match(removed.params.message, /Gone from the cluster/);
	assert.ok(!resolver(readFileSync(path, 'latin1')).has('late'), 'its names left the block');
	const after = (await sidecar.client.request('session/status', {})).result;
	assert.ok(!after.outbound.services.some((s) => s.service === 'late'), 'status no longer lists it');
	assert.equal(await listening(address, localPort), false, 'its listener is closed');

	await disconnectAndExit(sidecar);
	assert.equal(readFileSync(path, 'latin1'), original);
});
