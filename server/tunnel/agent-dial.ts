import { AGENT_PATHS } from '../../agent/src/contract.js';
import { openTunnel, type AgentAddress, type Tunnel } from './agent-exchange.js';
import type { ApiEndpoint } from './port-forward.js';

/** A tunnel to `host:port` as seen from inside the agent's pod: the agent dials it and answers 101 once connected. */
export function dialThroughAgent(endpoint: ApiEndpoint, agent: AgentAddress, host: string, port: number, signal?: AbortSignal): Promise<Tunnel> {
	const query = new URLSearchParams({ host, port: String(port) });
	return openTunnel(endpoint, agent, `${AGENT_PATHS.dial}?${query}`, signal);
}
