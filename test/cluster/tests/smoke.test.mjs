// The test cluster itself: these pin down what every other cluster test relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { KubeConfig, PortForward } from '@kubernetes/client-node';
import { DEMO_NAMESPACE, KUBECONFIG, demoPods, execNode, issueKubeconfig, kubectl, kubectlJson, kubectlPath } from '../../helpers/cluster.mjs';

/** Sends bytes through a TCP connection to 127.0.0.1:port and resolves with what came back. */
function echoThrough(port, payload) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		const socket = net.connect(port, '127.0.0.1', () => socket.write(payload));
		socket.on('data', (d) => {
			chunks.push(d);
			if (Buffer.concat(chunks).length >= payload.length) socket.end();
		});
		socket.on('close', () => resolve(Buffer.concat(chunks)));
		socket.on('error', reject);
		socket.setTimeout(20_000, () => socket.destroy(new Error('echo timed out')));
	});
}

test('the node is Ready', () => {
	const node = kubectlJson(['get', 'node', 'node1']);
	assert.equal(node.status.conditions.find((c) => c.type === 'Ready').status, 'True');
	assert.match(node.status.nodeInfo.kubeletVersion, /^v1\.34\./);
});

test('every fixture pod and cluster DNS run and are ready', () => {
	const pods = kubectlJson(['get', 'pods', '-A']).items.filter((p) => !p.metadata.deletionTimestamp);
	const names = (ns) => pods.filter((p) => p.metadata.namespace === ns).map((p) => p.metadata.labels.app ?? p.metadata.labels['k8s-app']);
	assert.deepEqual(names(DEMO_NAMESPACE).sort(), ['api', 'api', 'api', 'db', 'db', 'orders', 'web']);
	assert.deepEqual(names('kube-system'), ['kube-dns']);
	for (const pod of pods) {
		assert.equal(pod.status.phase, 'Running', pod.metadata.name);
		assert.ok(pod.status.containerStatuses.every((c) => c.ready), `${pod.metadata.name} ready`);
	}
	const orders = demoPods('orders')[0];
	assert.deepEqual(orders.spec.containers.map((c) => c.name), ['orders', 'proxy']);
});

test('a Service is reached by ClusterIP and by DNS name from another pod', () => {
	const web = demoPods('web')[0].metadata.name;
	const clusterIP = kubectlJson(['get', 'service', 'api', '-n', DEMO_NAMESPACE]).spec.clusterIP;
	const fetchJson = (url) => JSON.parse(execNode(web, `fetch(${JSON.stringify(url)}).then(r => r.json()).then(j => console.log(JSON.stringify(j)))`));
	assert.equal(fetchJson(`http://${clusterIP}/`).service, 'api');
	assert.equal(fetchJson('http://api/').service, 'api');
	assert.equal(fetchJson('http://api.kb-demo.svc.cluster.local/').service, 'api');
	assert.equal(fetchJson('http://db-0.db:8080/').pod, 'db-0');
	const chained = fetchJson('http://api/call?target=http://orders/');
	assert.equal(chained.upstream.body.service, 'orders');
});

test('a UDP port of a service answers from another pod', () => {
	const web = demoPods('web')[0].metadata.name;
	const script = `const s = require('dgram').createSocket('udp4');
		s.on('message', (m) => { console.log(m.toString()); process.exit(0); });
		s.send('ping-udp', 5353, 'api');
		setTimeout(() => process.exit(1), 5000);`;
	assert.equal(execNode(web, script).trim(), 'ping-udp');
});

test('kubectl exec sees env from literals, a ConfigMap, a Secret and the downward API, and mounted files', () => {
	const pod = demoPods('api')[0];
	const env = JSON.parse(execNode(pod.metadata.name, 'console.log(JSON.stringify(process.env))'));
	assert.equal(env.GREETING, 'hello from the cluster');
	assert.equal(env.LOG_LEVEL, 'debug');
	assert.equal(env.CFG_FEATURE_FLAGS, 'checkout,search');
	assert.equal(env.DB_PASSWORD, 's3cr3t-demo');
	assert.equal(env.SECRET_API_TOKEN, 'token-123');
	assert.equal(env.POD_NAME, pod.metadata.name);
	assert.equal(env.POD_IP, pod.status.podIP);
	assert.equal(env.NODE_NAME, 'node1');
	assert.equal(env.MEMORY_LIMIT, String(256 * 1024 * 1024));
	assert.match(env.API_SERVICE_HOST ?? '', /^10\.96\./, 'Kubernetes service variables');
	const files = execNode(pod.metadata.name, `const fs = require('fs');
		console.log(fs.readFileSync('/etc/api/config/settings.json', 'utf8') + '|' + fs.readFileSync('/etc/api/secret/tls.key', 'utf8'))`);
	assert.equal(files.trim(), '{"currency":"EUR","pageSize":20}|demo-private-key');
});

test('kubectl port-forward carries bytes to a pod', async () => {
	const pod = demoPods('api')[0].metadata.name;
	const forward = spawn(kubectlPath(), ['--kubeconfig', KUBECONFIG, 'port-forward', '-n', DEMO_NAMESPACE, `pod/${pod}`, ':9000'], { stdio: ['ignore', 'pipe', 'pipe'] });
	try {
		const port = await new Promise((resolve, reject) => {
			forward.stdout.on('data', (d) => {
				const match = /127\.0\.0\.1:(\d+) ->/.exec(d.toString());
				if (match) resolve(Number(match[1]));
			});
			forward.on('exit', (code) => reject(new Error(`kubectl port-forward exited with ${code}`)));
		});
		const payload = Buffer.from('through kubectl port-forward '.repeat(2000));
		assert.deepEqual(await echoThrough(port, payload), payload);
	} finally {
		forward.kill();
	}
});

test("@kubernetes/client-node's PortForward carries bytes to a pod", async () => {
	const pod = demoPods('api')[0].metadata.name;
	const config = new KubeConfig();
	config.loadFromFile(KUBECONFIG);
	const forward = new PortForward(config);
	const server = net.createServer((socket) => {
		forward.portForward(DEMO_NAMESPACE, pod, [9000], socket, null, socket).catch((error) => socket.destroy(error));
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	try {
		const payload = Buffer.from('through the client library '.repeat(2000));
		assert.deepEqual(await echoThrough(server.address().port, payload), payload);
	} finally {
		server.close();
	}
});

test('a Deployment rollout (a new command) completes', () => {
	const before = demoPods('web').map((p) => p.metadata.name);
	kubectl(['patch', 'deployment', 'web', '-n', DEMO_NAMESPACE, '--type=json', '-p',
		JSON.stringify([{ op: 'replace', path: '/spec/template/spec/containers/0/args', value: ['--name=web', '--http=8080', '--rollout=2'] }])]);
	try {
		kubectl(['rollout', 'status', 'deployment/web', '-n', DEMO_NAMESPACE, '--timeout=120s']);
		const after = demoPods('web');
		assert.equal(after.length, 1);
		assert.ok(!before.includes(after[0].metadata.name), 'a new pod replaced the old one');
		assert.ok(after[0].spec.containers[0].args.includes('--rollout=2'));
	} finally {
		kubectl(['rollout', 'undo', 'deployment/web', '-n', DEMO_NAMESPACE]);
		kubectl(['rollout', 'status', 'deployment/web', '-n', DEMO_NAMESPACE, '--timeout=120s']);
	}
});

test('an issued least-privilege kubeconfig can do what its Role allows and nothing else', () => {
	const { kubeconfig, revoke } = issueKubeconfig({
		user: 'smoke-reader', namespace: DEMO_NAMESPACE, rules: [{ apiGroups: [''], resources: ['services'], verbs: ['get', 'list'] }],
	});
	try {
		const services = kubectlJson(['get', 'services', '-n', DEMO_NAMESPACE], { kubeconfig });
		assert.ok(services.items.some((s) => s.metadata.name === 'api'));
		const secrets = kubectl(['get', 'secrets', '-n', DEMO_NAMESPACE], { kubeconfig, allowFailure: true });
		assert.notEqual(secrets.status, 0);
		assert.match(secrets.stderr, /forbidden/);
	} finally {
		revoke();
	}
});
