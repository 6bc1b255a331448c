// Which image the agents run, as the server resolves it from kubebridge.yaml, the env vars
// and the command line, seen through diagnostics (what a connect would use with none
// connected); a request's own choice is checked by the params schema and the manifests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInProcess } from '../../helpers/in-process.mjs';
import { writeKubeconfig } from '../../helpers/kubeconfig.mjs';
import { agentScript } from '../../../out/server/session/agent-script.js';

const kubeconfig = writeKubeconfig([{ name: 'fake', server: 'https://127.0.0.1:1', namespace: 'shop' }]);

async function versionsWith({ yaml, env = {}, agent } = {}) {
	const folder = mkdtempSync(join(tmpdir(), 'kubebridge-ws-'));
	if (yaml) writeFileSync(join(folder, 'kubebridge.yaml'), yaml);
	const saved = { ...process.env };
	Object.assign(process.env, env);
	try {
		const started = startInProcess({ cluster: { kubeconfig }, ...(agent ? { agent } : {}) });
		await started.client.initialize({ workspaceFolder: folder });
		const { result } = await started.client.request('diagnostics/get', {});
		await started.client.request('shutdown');
		started.client.notify('exit');
		await started.exited;
		return result.versions;
	} finally {
		for (const name of Object.keys(env)) if (saved[name] === undefined) delete process.env[name]; else process.env[name] = saved[name];
	}
}

const script = agentScript().configMap;
const pick = (versions) => [versions.agentImage, versions.agentScript];

test('nothing named: the script on node:24-slim', async () => {
	assert.deepEqual(pick(await versionsWith()), ['node:24-slim', script]);
});

test("kubebridge.yaml's agent names a mirror or a full image; an env var wins over it, a flag over both", async () => {
	const mirror = 'version: 1\nagent:\n  baseImage: mirror.example/node:24-slim\n';
	assert.deepEqual(pick(await versionsWith({ yaml: mirror })), ['mirror.example/node:24-slim', script]);
	const full = 'version: 1\nagent:\n  image: registry.example/kubebridge-agent:1\n';
	assert.deepEqual(pick(await versionsWith({ yaml: full })), ['registry.example/kubebridge-agent:1', null]);
	assert.deepEqual(pick(await versionsWith({ yaml: full, env: { KUBEBRIDGE_AGENT_BASE_IMAGE: 'env.example/node:24' } })),
		['env.example/node:24', script]);
	assert.deepEqual(pick(await versionsWith({
		yaml: mirror, env: { KUBEBRIDGE_AGENT_IMAGE: 'env.example/agent:1', KUBEBRIDGE_AGENT_BASE_IMAGE: 'env.example/node:24' },
	})), ['env.example/agent:1', null], 'of the two env vars the full image wins');
	assert.deepEqual(pick(await versionsWith({ yaml: full, env: { KUBEBRIDGE_AGENT_IMAGE: 'env.example/agent:1' }, agent: { baseImage: 'flag.example/node:24' } })),
		['flag.example/node:24', script]);
});
