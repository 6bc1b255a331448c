// Access to the real test cluster for the cluster tests: kubectl, the admin kubeconfig,
// and least-privilege identities issued on demand.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const state = process.env.KUBEBRIDGE_CLUSTER_STATE ?? '/var/lib/kubebridge-cluster';
export const KUBECONFIG = process.env.KUBEBRIDGE_TEST_KUBECONFIG ?? join(state, 'admin.kubeconfig');
/** The kubectl built with the cluster, at the cluster's own version. */
export const kubectlPath = () => join(readFileSync(join(state, 'bin-path'), 'utf8').trim(), 'kubectl');
export const DEMO_NAMESPACE = 'kb-demo';

/** Runs kubectl as the admin (or with another kubeconfig); throws with its stderr on failure. */
export function kubectl(args, { input, kubeconfig = KUBECONFIG, allowFailure = false } = {}) {
	const run = spawnSync(kubectlPath(), ['--kubeconfig', kubeconfig, ...args], { input, encoding: 'utf8', timeout: 120_000 });
	if (run.status !== 0 && !allowFailure) throw new Error(`kubectl ${args.join(' ')} failed: ${run.stderr}`);
	return run;
}

export const kubectlJson = (args, options) => JSON.parse(kubectl([...args, '-o', 'json'], options).stdout);

/**
 * kubectl as the admin without blocking this process: the local server of the connect
 * tests lives in the test's own process and must keep answering while kubectl runs.
 */
export function kubectlAsync(args, { allowFailure = false } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(kubectlPath(), ['--kubeconfig', KUBECONFIG, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => { stdout += d; });
		child.stderr.on('data', (d) => { stderr += d; });
		child.on('error', reject);
		child.on('close', (status) => {
			if (status !== 0 && !allowFailure) reject(new Error(`kubectl ${args.join(' ')} failed: ${stderr}`));
			else resolve({ status, stdout, stderr });
		});
	});
}

export const kubectlJsonAsync = async (args) => JSON.parse((await kubectlAsync([...args, '-o', 'json'])).stdout);

/** The running pods of the demo app with a given app label. */
export function demoPods(app) {
	return kubectlJson(['get', 'pods', '-n', DEMO_NAMESPACE, '-l', `app=${app}`]).items
		.filter((p) => p.status.phase === 'Running' && !p.metadata.deletionTimestamp);
}

/** Runs a snippet of JavaScript inside a demo pod with its own node. */
export function execNode(pod, script, container) {
	return kubectl(['exec', '-n', DEMO_NAMESPACE, pod, ...(container ? ['-c', container] : []), '--', '/usr/local/bin/node', '-e', script]).stdout;
}

// A user's key and kubeconfig are credentials: they go with the process that issued them.
const issuedFolders = [];
process.once('exit', () => { for (const dir of issuedFolders) rmSync(dir, { recursive: true, force: true }); });

/**
 * Issues a kubeconfig for a new user, a client certificate signed by the cluster's CA,
 * bound to a Role with `rules` in `namespace`: the identity of a developer with only the
 * permissions a test grants.
 */
export function issueKubeconfig({ user, namespace, rules }) {
	const dir = mkdtempSync(join(tmpdir(), `kubebridge-${user}-`));
	issuedFolders.push(dir);
	const pki = join(state, 'pki');
	const key = join(dir, 'user.key');
	const csr = join(dir, 'user.csr');
	const crt = join(dir, 'user.crt');
	execFileSync('openssl', ['genrsa', '-out', key, '2048'], { stdio: 'ignore' });
	execFileSync('openssl', ['req', '-new', '-key', key, '-subj', `/CN=${user}/O=kubebridge-testers`, '-out', csr]);
	execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', join(pki, 'ca.crt'), '-CAkey', join(pki, 'ca.key'),
		'-CAcreateserial', '-CAserial', join(dir, 'ca.srl'), '-days', '1', '-out', crt], { stdio: 'ignore' });
	const role = {
		apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: user, namespace }, rules,
	};
	const binding = {
		apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: user, namespace },
		roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: user },
		subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
	};
	kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [role, binding] }) });
	const admin = readFileSync(KUBECONFIG, 'utf8');
	const server = /server: (\S+)/.exec(admin)[1];
	const ca = /certificate-authority-data: (\S+)/.exec(admin)[1];
	const b64 = (file) => readFileSync(file).toString('base64');
	const kubeconfig = join(dir, 'kubeconfig');
	writeFileSync(kubeconfig, [
		'apiVersion: v1', 'kind: Config',
		'clusters:', '- name: test', '  cluster:', `    server: ${server}`, `    certificate-authority-data: ${ca}`,
		'users:', `- name: ${user}`, '  user:', `    client-certificate-data: ${b64(crt)}`, `    client-key-data: ${b64(key)}`,
		'contexts:', `- name: ${user}`, '  context:', '    cluster: test', `    user: ${user}`, `    namespace: ${namespace}`,
		`current-context: ${user}`,
	].join('\n') + '\n');
	return {
		kubeconfig,
		revoke: () => kubectl(['delete', 'role,rolebinding', user, '-n', namespace, '--ignore-not-found']),
	};
}
