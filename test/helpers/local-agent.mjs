// Runs the real agent program on this machine (compiled from agent/src), as the cluster
// would run it in a pod, on free loopback ports.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';

export async function freePort() {
	const server = createServer();
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address();
	await new Promise((resolve) => server.close(resolve));
	return port;
}

/** `env` adds to the agent's settings, e.g. the readiness probe it mirrors. */
export async function startLocalAgent(appPorts, env = {}) {
	const token = randomBytes(24).toString('hex');
	const controlPort = await freePort();
	const healthPort = await freePort();
	const child = spawn(process.execPath, [new URL('../../out/agent/src/main.js', import.meta.url).pathname], {
		env: {
			KUBEBRIDGE_AGENT_PORTS: appPorts.join(','), KUBEBRIDGE_AGENT_CONTROL_PORT: String(controlPort),
			KUBEBRIDGE_AGENT_HEALTH_PORT: String(healthPort), KUBEBRIDGE_SESSION: 'test', HOSTNAME: 'local-agent',
			KUBEBRIDGE_AGENT_TOKEN_SHA256: createHash('sha256').update(token).digest('hex'), ...env,
		},
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	let output = '';
	await new Promise((resolve, reject) => {
		child.stdout.on('data', (chunk) => { output += chunk; if (output.includes('agent ready')) resolve(); });
		child.once('exit', (code) => reject(new Error(`agent exited with ${code}: ${output}`)));
	});
	return {
		token, controlPort, healthPort, output: () => output,
		stop: () => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); }),
	};
}
