// kubebridge as a developer runs it: `kubebridge connect` of the packaged executable (or,
// for a CPU profile, the same bundle on node with --cpu-prof), its JSON lines read, and
// Ctrl-C (SIGINT) to disconnect.
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { bareEnv, EXECUTABLE } from '../../test/helpers/executable.mjs';
import { ECHO_PORT, NAMESPACE, readyEchoPods } from './fixture.mjs';
import { startProcess } from './processes.mjs';

const BUNDLE = new URL('../../dist/kubebridge.cjs', import.meta.url).pathname;

const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Sends one message to an agent pod and resolves true once it came back (through this machine). */
function probe(ip) {
	return new Promise((resolve) => {
		const socket = net.connect({ host: ip, port: ECHO_PORT, noDelay: true });
		socket.setTimeout(5000, () => { socket.destroy(); resolve(false); });
		socket.once('connect', () => socket.write('ping'));
		let got = 0;
		socket.on('data', (data) => {
			got += data.length;
			if (got >= 4) { socket.destroy(); resolve(true); }
		});
		socket.once('error', () => resolve(false));
		socket.once('close', () => resolve(false));
	});
}

/**
 * Connects `echo` to the local port and times it: from spawning the sidecar until a
 * message sent to a new (agent) pod's IP came back, i.e. a caller in the cluster was
 * answered by the local process. `originals` are the pod names to leave out.
 */
export async function connectSession({ kubeconfig, localPort, originals, profileDir, log, cleanup, hostsFile }) {
	const args = ['connect', 'echo', '-n', NAMESPACE, '--port', `${ECHO_PORT}:${localPort}`,
		'-o', 'json', '--kubeconfig', kubeconfig, '--hosts-file', hostsFile];
	const env = bareEnv();
	if (profileDir) mkdirSync(profileDir, { recursive: true });
	const started = now();
	const sidecar = profileDir
		? startProcess(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profileDir, BUNDLE, ...args], { env, ready: readyEvent, timeoutMs: 180_000 })
		: startProcess(EXECUTABLE, args, { env, ready: readyEvent, timeoutMs: 180_000 });
	const dropCleanup = cleanup.add('kubebridge connect (SIGINT)', () => sidecar.stop('SIGINT', 150_000));
	let answeredMs = null;
	const answered = (async () => {
		const tried = new Set();
		const deadline = started + 240_000;
		while (answeredMs === null && sidecar.child.exitCode === null && now() < deadline) {
			const agents = (await readyEchoPods().catch(() => [])).filter((pod) => !originals.includes(pod.name));
			for (const pod of agents) {
				if (tried.has(pod.name)) continue;
				tried.add(pod.name);
				void probe(pod.ip).then((ok) => {
					if (ok && answeredMs === null) answeredMs = now() - started;
					else tried.delete(pod.name);
				});
			}
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	})();
	const result = await sidecar.value;
	const readyMs = now() - started;
	await answered;
	if (answeredMs === null) throw new Error(`kubebridge connect ended before a caller was answered:\n${sidecar.output().slice(-2000)}`);
	log(`connected in ${(answeredMs / 1000).toFixed(2)} s (ready line at ${(readyMs / 1000).toFixed(2)} s)`);
	const agentPod = result.targets[0].agentPods[0];
	const agent = (await readyEchoPods()).find((pod) => pod.name === agentPod);
	if (!agent) throw new Error(`the agent pod ${agentPod} is not ready`);
	return {
		pid: sidecar.child.pid,
		agent,
		answeredMs,
		readyMs,
		logDir: env.KUBEBRIDGE_LOG_DIR,
		output: sidecar.output,
		/** Where this machine reaches a service of the namespace (outbound access). */
		outboundAddress(service) {
			const found = result.outbound.services.find((s) => s.service === service && !s.pod);
			return { host: found.address, port: found.ports[0].localPort };
		},
		/** Ctrl-C, as a developer ends it: resolves with the milliseconds until it exited, restore included. */
		async disconnect() {
			const from = now();
			const code = await sidecar.stop('SIGINT', 150_000);
			dropCleanup();
			if (code !== 0) throw new Error(`kubebridge connect exited with ${code} after SIGINT:\n${sidecar.output().slice(-2000)}`);
			return now() - from;
		},
	};
}

/** The `ready` event's result; a failure prints the typed error and exits, which startProcess reports. */
export function readyEvent(line) {
	try {
		const event = JSON.parse(line);
		return event.event === 'ready' ? event.result : undefined;
	} catch {
		return undefined;
	}
}
