import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Writes a kubeconfig with the given contexts ({ name, server, namespace?, exec? }) to a temp
 * file; a context with `exec` authenticates through that credential plugin command.
 */
export function writeKubeconfig(contexts, current = contexts[0]?.name) {
	const file = join(mkdtempSync(join(tmpdir(), 'kubebridge-kc-')), 'config');
	const yaml = [
		'apiVersion: v1',
		'kind: Config',
		'clusters:',
		...contexts.flatMap((c) => [`- name: ${c.name}-cluster`, '  cluster:', `    server: ${c.server}`, '    insecure-skip-tls-verify: true']),
		'users:',
		...contexts.flatMap((c) => [`- name: ${c.name}-user`, '  user:', ...(c.exec
			? ['    exec:', '      apiVersion: client.authentication.k8s.io/v1', `      command: ${c.exec}`, '      interactiveMode: Never']
			: ['    token: not-a-real-token'])]),
		'contexts:',
		...contexts.flatMap((c) => [`- name: ${c.name}`, '  context:', `    cluster: ${c.name}-cluster`, `    user: ${c.name}-user`,
			...(c.namespace ? [`    namespace: ${c.namespace}`] : [])]),
		...(current ? [`current-context: ${current}`] : []),
	].join('\n');
	writeFileSync(file, yaml + '\n');
	return file;
}
