// Run inside `unshare -m --propagation private` by the outbound cluster test: binds a copy
// over /etc/hosts, so the real path is the one kubebridge edits, then runs
// `kubebridge connect` as a user would, calls cluster services by name through the
// system resolver, sends SIGINT and prints what it saw as one JSON line.
// argv: hostsCopy executable kubeconfig namespace service localPort
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';

const [hostsCopy, executable, kubeconfig, namespace, service, localPort] = process.argv.slice(2);
execFileSync('mount', ['--bind', hostsCopy, '/etc/hosts']);

const call = (url) => new Promise((resolve) => {
	const req = get(url, { agent: false, timeout: 10_000 }, (res) => {
		let body = '';
		res.on('data', (d) => { body += d; });
		res.on('end', () => resolve({ status: res.statusCode, body }));
	});
	req.on('timeout', () => req.destroy(new Error('timeout')));
	req.on('error', (e) => resolve({ error: e.code ?? e.message }));
});

const connect = spawn(executable, ['connect', service, '-n', namespace, '--local-port', localPort, '--kubeconfig', kubeconfig],
	{ stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KUBEBRIDGE_PROGRESS: '1' } });
let stderr = '';
const ready = new Promise((resolve, reject) => {
	connect.stderr.on('data', (d) => { stderr += d; if (stderr.includes('Ready:')) resolve(); });
	connect.once('exit', (code) => reject(new Error(`connect exited with ${code}: ${stderr}`)));
});
const exited = new Promise((resolve) => connect.once('exit', (code) => resolve(code)));
try {
	await ready;
	const during = readFileSync('/etc/hosts', 'latin1');
	const answers = {};
	for (const url of ['http://orders/', `http://orders.${namespace}/`, `http://orders.${namespace}.svc.cluster.local/`, 'http://db-0.db:8080/']) {
		answers[url] = await call(url);
	}
	connect.kill('SIGINT');
	const code = await exited;
	console.log(JSON.stringify({ during, answers, code, after: readFileSync('/etc/hosts', 'latin1'), stderr }));
} catch (error) {
	connect.kill('SIGKILL');
	console.log(JSON.stringify({ error: error.message, stderr }));
}
