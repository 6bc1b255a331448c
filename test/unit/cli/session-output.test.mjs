// The CLI's progress lines: a wait that reports the same state each poll prints it once on
// the terminal; JSON lines keep every report for the programs that read them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describeConnected, describeDisconnected, outboundLines, sessionOutput } from '../../../out/server/cli/session-output.js';

const reports = ['0/3 ready', '0/3 ready', '1/3 ready', '1/3 ready', '0/3 ready'];

function feed(output) {
	output.progress({ kind: 'begin', title: 'Restoring', cancellable: false });
	for (const message of reports) output.progress({ kind: 'report', message });
}

test('on the terminal a report repeating the one before is not printed again', (t) => {
	const lines = [];
	t.mock.method(process.stderr, 'write', (text) => { lines.push(text); return true; });
	feed(sessionOutput(false, new PassThrough()));
	t.mock.restoreAll();
	assert.deepEqual(lines, ['Restoring…\n', '  0/3 ready\n', '  1/3 ready\n', '  0/3 ready\n']);
});

test('with JSON lines every report is written', () => {
	const stream = new PassThrough();
	feed(sessionOutput(true, stream));
	const events = stream.read().toString().trim().split('\n').map((line) => JSON.parse(line));
	assert.deepEqual(events.filter((e) => e.kind === 'report').map((e) => e.message), reports);
});

test('the line after disconnect names what was put back, and a service still seen routing to a pod that is gone', () => {
	assert.equal(describeDisconnected({ restored: ['Deployment/shop/api'] }), 'Restored Deployment/shop/api.');
	assert.equal(describeDisconnected({ restored: [] }), 'Restored nothing.');
	assert.equal(describeDisconnected({ restored: ['Deployment/shop/api'], stale: [{ target: 'service/api', reason: '1 agent pod(s) still there (api-7f-x)' }] }),
		'Restored Deployment/shop/api. service/api may still send some callers to a pod that is gone: 1 agent pod(s) still there (api-7f-x).');
});

test('the Ready line and the outbound table say which ports are UDP', () => {
	const ports = [{ remote: 8080, local: 3000, protocol: 'TCP', servicePort: 80 }, { remote: 5353, local: 5353, protocol: 'UDP', servicePort: 5353 }];
	const line = describeConnected({ sessionId: 's', restoreWithinSeconds: 25, targets: [{ target: 'service/api', namespace: 'shop', agentPods: ['a'], ports }] });
	assert.equal(line, 'service/api in shop (1 pod: 80→localhost:3000, 5353/udp→localhost:5353/udp)');
	const counters = { connections: 0, activeConnections: 0, bytesOut: 0, bytesIn: 0 };
	const [, dns] = outboundLines({ mode: 'names', hostsPath: '/etc/hosts', external: [], notes: [], services: [{
		namespace: 'kube-system', service: 'kube-dns', pod: null, names: ['kube-dns.kube-system'], address: '127.1.0.2', dials: '10.96.0.10',
		ports: [{ port: 53, name: 'dns', protocol: 'UDP', localPort: 53, ...counters }, { port: 53, name: 'dns-tcp', protocol: 'TCP', localPort: 53, ...counters }],
	}] });
	assert.equal(dns, '  kube-dns.kube-system → 127.1.0.2:53/udp,53');
});
