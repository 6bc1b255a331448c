import { ControlServer } from './control-server.js';
import { listenForDials } from './dial-server.js';
import { FileServer } from './file-server.js';
import { log } from './log.js';
import { TunnelPool } from './pool.js';
import { ReadinessMirror } from './readiness.js';
import { runRestorer } from './restorer.js';
import { serveRouter } from './router.js';
import { listenForProbes, listenOnAppPorts, listenOnUdpPorts } from './servers.js';
import { readSettings } from './settings.js';

/** The agent in a taken-over pod: takes the container's ports and hands callers to the sidecar. */
async function serveAgent(): Promise<void> {
	const settings = readSettings(process.env);
	let control: ControlServer | null = null;
	const pool = new TunnelPool(() => control?.sidecarExpected ?? false, (count) => control?.broadcast({ event: 'waiting', count }));
	const readiness = new ReadinessMirror(settings.readiness);
	control = new ControlServer(settings, pool, new FileServer(), readiness);
	await control.listen();
	await listenForProbes(settings.healthPort, readiness);
	await listenOnAppPorts(settings.ports, pool);
	control.watchFlows(await listenOnUdpPorts(settings.udpPorts, pool));
	log('agent ready', { pod: settings.pod, ports: settings.ports, udpPorts: settings.udpPorts, controlPort: settings.controlPort, session: settings.session });
}

/** The restorer, and while it watches, the dials the sidecar probes the service with once the agents are gone. */
async function serveRestorer(): Promise<void> {
	const dials = await listenForDials(process.env);
	await runRestorer();
	// The sidecar's forwards would keep the process alive past the session's end.
	dials?.closeAllConnections();
	dials?.close();
}

const mode = process.argv[2] ?? 'agent';
const run = mode === 'restore' ? serveRestorer : mode === 'route' ? serveRouter : serveAgent;
process.on('SIGTERM', () => process.exit(0));
run().catch((error: Error) => {
	log('failed', { error: error.message });
	process.exit(1);
});
