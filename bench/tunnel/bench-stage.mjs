// What every benchmark on the test cluster sets up first, each part undone by `cleanup`:
// the echo fixture, a developer's kubeconfig, the local echo server kubebridge connects
// to, and a copy of the hosts file for the outbound names.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { issueKubeconfig } from '../../test/helpers/cluster.mjs';
import { DEVELOPER_RULES } from '../../test/helpers/developer-role.mjs';
import { deleteNamespace, deploy, NAMESPACE } from './fixture.mjs';
import { jsonPort, startProcess } from './processes.mjs';

export async function setUpBench({ log, cleanup }) {
	log(`deploying the echo server in ${NAMESPACE}`);
	cleanup.add(`delete namespace ${NAMESPACE}`, deleteNamespace);
	deploy();
	const developer = issueKubeconfig({ user: 'kb-bench-developer', namespace: NAMESPACE, rules: DEVELOPER_RULES });
	cleanup.add('remove the developer kubeconfig', () => rmSync(dirname(developer.kubeconfig), { recursive: true, force: true }));
	const echo = startProcess(process.execPath, [new URL('./echo-server.mjs', import.meta.url).pathname], { ready: jsonPort });
	cleanup.add('stop the local echo server', () => echo.stop());
	const localEcho = await echo.value;
	// The outbound names go to a copy: a benchmark has no business in the machine's hosts file.
	const hostsFile = join(mkdtempSync(join(tmpdir(), 'kb-bench-hosts-')), 'hosts');
	copyFileSync('/etc/hosts', hostsFile);
	cleanup.add('remove the hosts file copy', () => rmSync(dirname(hostsFile), { recursive: true, force: true }));
	return { developer, localEcho, hostsFile };
}
