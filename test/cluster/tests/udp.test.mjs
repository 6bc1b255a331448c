// UDP both ways through the tunnels, in a namespace that enforces the `restricted` Pod
// Security Standard, as a developer bound to the Role of docs/rbac.md (and allowed to read
// the services of kube-system, for the cluster's DNS). Inbound: a pod sends 1,000
// datagrams of many sizes, from two sockets, to the service's UDP port, and a UDP echo on
// this machine answers each; outbound: this machine sends 1,000 to a UDP echo service in
// the cluster by the address outbound gives it, and asks the cluster's DNS service a name.
// Every datagram that arrives must be exactly one that was sent (boundaries kept); what
// UDP may lose on the way is counted, not hidden. The workload is restored exactly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { issueKubeconfig } from '../../helpers/cluster.mjs';
import {
	DEMO_IMAGE, RESTRICTED_CONTAINER, apply, clientManifests, comparableObject, connectAsDeveloper, createNamespace, deleteNamespace,
	disconnectAndExit, inClient, kubectlJsonAsync, rolloutDone, sessionObjects, startLocalServer, uniqueNamespace, waitFor,
} from '../../helpers/workload-fixtures.mjs';
import { oneContainerWorkload } from '../../helpers/workload-manifest.mjs';

const namespace = uniqueNamespace('kb-udp');
const COUNT = 1000;
const sidecars = [];
const closers = [];
let dnsReader = null;

/** The demo server with an HTTP port and a UDP echo on `udpPort` (named `dgram`), and a Service with both. */
function udpApp(name, udpPort, { http = true } = {}) {
	const labels = { app: name };
	return [
		oneContainerWorkload(namespace, name, {
			name: 'app', image: DEMO_IMAGE, imagePullPolicy: 'Never', args: [`--name=${name}`, '--http=8080', `--udp=${udpPort}`],
			ports: [{ name: 'http', containerPort: 8080 }, { name: 'dgram', containerPort: udpPort, protocol: 'UDP' }],
			readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1 },
			securityContext: RESTRICTED_CONTAINER,
		}, { pod: { terminationGracePeriodSeconds: 2 } }),
		{
			apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels },
			spec: {
				selector: labels,
				ports: [...(http ? [{ name: 'http', port: 80, targetPort: 'http' }] : []), { name: 'dgram', port: udpPort, targetPort: 'dgram', protocol: 'UDP' }],
			},
		},
	];
}

/**
 * A sender, as a Node script: `count` datagrams of sizes 0 to 1,400 bytes past their
 * sequence number, spread over two sockets, at most 16 unanswered at a time (one
 * unanswered for a second is given up as lost). Prints what came back: the replies that
 * were exactly `prefix` + a datagram sent, in time or late, twice, or matching none.
 */
const senderScript = (host, port, count, prefix) => `
const dgram = require('node:dgram');
const sockets = [dgram.createSocket('udp4'), dgram.createSocket('udp4')];
const payload = (i) => Buffer.concat([Buffer.from(i + ':'), Buffer.alloc((i * 37) % 1401, 97 + (i % 26))]);
const open = new Map();
const answered = new Set();
let next = 0, received = 0, wrong = 0, late = 0, duplicates = 0, lost = 0, lastReply = Date.now();
const pump = () => {
	const now = Date.now();
	for (const [i, at] of open) if (now - at > 1000) { open.delete(i); lost++; }
	while (open.size < 16 && next < ${count}) {
		const i = next++;
		open.set(i, Date.now());
		sockets[i % 2].send(payload(i), ${port}, ${JSON.stringify(host)});
	}
	// Replies given up on may still come: the count ends after two quiet seconds.
	if (next >= ${count} && open.size === 0 && now - lastReply > 2000) finish();
};
const finish = () => {
	clearInterval(timer);
	for (const s of sockets) s.close();
	console.log(JSON.stringify({ sent: next, received, wrong, late, duplicates, lost: lost - late }));
};
for (const socket of sockets) {
	socket.on('message', (reply) => {
		const text = reply.toString('latin1');
		lastReply = Date.now();
		const i = Number(text.slice(${prefix.length}, text.indexOf(':', ${prefix.length})));
		if (!(i >= 0 && i < next) || text !== ${JSON.stringify(prefix)} + payload(i).toString('latin1')) wrong++;
		else if (answered.has(i)) duplicates++;
		else {
			answered.add(i);
			if (open.delete(i)) received++;
			else late++;
		}
		pump();
	});
}
const timer = setInterval(pump, 50);
pump();`;

/** Runs `senderScript` on this machine. */
function sendHere(host, port) {
	return new Promise((resolve, reject) => {
		execFile(process.execPath, ['-e', senderScript(host, port, COUNT, '')], { timeout: 120_000 }, (error, stdout) => {
			if (error) reject(error);
			else resolve(JSON.parse(stdout));
		});
	});
}

/** The developer's UDP program: answers each datagram with `L:` and the datagram, to its sender, and notes the senders. */
async function startLocalUdpEcho() {
	const socket = createSocket('udp4');
	const senders = new Set();
	let datagrams = 0;
	socket.on('message', (datagram, from) => {
		datagrams++;
		senders.add(`${from.address}:${from.port}`);
		socket.send(Buffer.concat([Buffer.from('L:'), datagram]), from.port, from.address);
	});
	await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
	return { port: socket.address().port, senders, get datagrams() { return datagrams; }, close: () => new Promise((resolve) => socket.close(resolve)) };
}

before(async () => {
	createNamespace(namespace, { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' });
	apply([...udpApp('dgram', 7000), ...udpApp('echo', 7100, { http: false }), ...clientManifests(namespace)]);
	// connectAsDeveloper's user, allowed to read kube-system's services too: outbound reaches the cluster's DNS.
	dnsReader = issueKubeconfig({ user: `dev-${namespace}`, namespace: 'kube-system', rules: [{ apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch'] }] });
	await Promise.all([rolloutDone(namespace, 'dgram'), rolloutDone(namespace, 'echo'), rolloutDone(namespace, 'client')]);
});

after(async () => {
	for (const sidecar of sidecars) if (sidecar.child.exitCode === null && sidecar.child.signalCode === null) sidecar.child.kill('SIGKILL');
	for (const close of closers) await close();
	dnsReader?.revoke();
	deleteNamespace(namespace);
});

test('UDP both ways: 1,000 datagrams from a pod reach the local echo and its replies the senders; 1,000 from here reach a cluster echo; the cluster DNS answers; restored exactly', { timeout: 420_000 }, async (t) => {
	const original = await comparableObject('deployment', namespace, 'dgram');
	const http = await startLocalServer();
	const echo = await startLocalUdpEcho();
	closers.push(() => http.close(), () => echo.close());
	const { sidecar, connected } = await connectAsDeveloper(namespace,
		[{ service: 'dgram', localPort: http.port, ports: [{ remote: 7000, local: echo.port, protocol: 'UDP' }] }],
		{ outbound: { hostsFile: false, namespaces: ['kube-system'] } });
	sidecars.push(sidecar);
	const [target] = connected.targets;
	assert.deepEqual(target.ports.map((p) => [p.protocol, p.remote, p.local, p.servicePort]),
		[['TCP', 8080, http.port, 80], ['UDP', 7000, echo.port, 7000]], 'the UDP port is redirected, as connect says');

	// Inbound: from a pod, to the service's UDP port by name, as any caller in the cluster.
	const inbound = await inClient(namespace, senderScript('dgram', 7000, COUNT, 'L:'));
	t.diagnostic(`inbound: ${JSON.stringify(inbound)}; the local echo saw ${echo.datagrams} datagrams from ${echo.senders.size} senders`);
	assert.equal(inbound.sent, COUNT);
	assert.deepEqual([inbound.wrong, inbound.duplicates], [0, 0], 'every reply is exactly one datagram sent, once, from this machine');
	assert.ok(inbound.received + inbound.late >= COUNT * 0.95, `${inbound.received + inbound.late} of ${COUNT} answered`);
	assert.equal(echo.senders.size, 2, 'each sender in the cluster is a sender of its own here');
	const status = await sidecar.client.request('session/status', {});
	const udp = status.result.agents.map((a) => a.udp);
	const toLocal = udp.reduce((sum, u) => sum + u.toLocal, 0);
	assert.ok(toLocal >= inbound.received + inbound.late && toLocal <= COUNT, `the agents' flows delivered ${toLocal}`);
	assert.equal(udp.reduce((sum, u) => sum + u.flows, 0), 2);

	// Outbound: the echo service by the address and port outbound gives its UDP port.
	const service = (name, ns = namespace) => connected.outbound.services.find((s) => s.service === name && s.namespace === ns);
	const echoPort = service('echo').ports.find((p) => p.protocol === 'UDP');
	assert.ok(echoPort, JSON.stringify(service('echo')));
	const outbound = await sendHere(service('echo').address, echoPort.localPort);
	t.diagnostic(`outbound: ${JSON.stringify(outbound)}`);
	assert.equal(outbound.sent, COUNT);
	assert.deepEqual([outbound.wrong, outbound.duplicates], [0, 0], 'every reply is exactly one datagram sent, once');
	assert.ok(outbound.received + outbound.late >= COUNT * 0.95, `${outbound.received + outbound.late} of ${COUNT} answered`);
	const counted = (await sidecar.client.request('session/status', {})).result.outbound.services
		.find((s) => s.service === 'echo').ports.find((p) => p.protocol === 'UDP');
	assert.equal(counted.connections, 2, 'a flow per local sender');
	assert.ok(counted.datagrams.out >= COUNT && counted.datagrams.in >= outbound.received + outbound.late, JSON.stringify(counted));

	// The cluster's DNS service, asked over UDP at its outbound address.
	const dns = service('kube-dns', 'kube-system');
	assert.ok(dns, `kube-dns is reached: ${connected.outbound.services.map((s) => `${s.service}.${s.namespace}`).join(', ')}`);
	const dnsUdp = dns.ports.find((p) => p.protocol === 'UDP');
	const resolver = new Resolver({ timeout: 3000, tries: 3 });
	resolver.setServers([`${dns.address}:${dnsUdp.localPort}`]);
	const clusterIP = (await kubectlJsonAsync(['get', 'service', 'dgram', '-n', namespace])).spec.clusterIP;
	assert.deepEqual(await resolver.resolve4(`dgram.${namespace}.svc.cluster.local`), [clusterIP]);
	const dnsCounted = (await sidecar.client.request('session/status', {})).result.outbound.services
		.find((s) => s.service === 'kube-dns').ports.find((p) => p.protocol === 'UDP');
	assert.ok(dnsCounted.datagrams.in >= 1, 'the answer came over UDP');

	const result = await disconnectAndExit(sidecar);
	assert.deepEqual(result.restored, [`Deployment/${namespace}/dgram`]);
	assert.deepEqual(await comparableObject('deployment', namespace, 'dgram'), original);
	await waitFor('the session gone', async () => (await sessionObjects(namespace, connected.sessionId)).length === 0, { ms: 60_000 });
	// The original container serves its UDP port again.
	const again = await inClient(namespace, senderScript('dgram', 7000, 20, ''));
	assert.ok(again.received > 0 && again.wrong === 0, JSON.stringify(again));
});
