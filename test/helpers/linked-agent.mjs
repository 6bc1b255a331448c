// The real agent program on this machine with the sidecar's AgentLink joined to it through
// a stand-in for the port-forward, serving before it is handed over.
import { webSocketForwarder } from '../../out/server/cluster/pod-streams.js';
import { AgentLink } from '../../out/server/tunnel/agent-link.js';
import { Logger } from '../../out/server/log/logger.js';
import { startFakePortForward } from './fake-portforward.mjs';
import { freePort, startLocalAgent } from './local-agent.mjs';
import { waitUntil } from './wait-until.mjs';

/** `udpPorts`: agent UDP port → local UDP port; the agent also takes one TCP port of its own, mapped to itself. */
export async function startLinkedAgent({ udpPorts = new Map() } = {}) {
	const forward = await startFakePortForward();
	const appPort = await freePort();
	const agent = await startLocalAgent([appPort], udpPorts.size ? { KUBEBRIDGE_AGENT_UDP_PORTS: [...udpPorts.keys()].join(',') } : {});
	const address = { namespace: 'ns', pod: 'pod', controlPort: agent.controlPort, token: agent.token };
	const states = [];
	const link = new AgentLink(forward.endpoint, webSocketForwarder(forward.endpoint), address, new Map([[appPort, appPort]]),
		{ stateChanged: (pod, state, detail) => states.push({ state, detail }), localRefused: () => undefined, localAccepted: () => undefined },
		new Logger(null), null, udpPorts);
	link.start();
	await waitUntil(() => link.stats().state === 'serving' && link.stats().idleTunnels > 0);
	return {
		link, address, appPort,
		/** Each state the link went through, with the detail a client's `session/didChangeState` message carries. */
		states,
		stop: async () => {
			link.stop();
			await agent.stop();
			await forward.close();
		},
	};
}
