import { AGENT_PATHS } from '../../agent/src/contract/contract.js';
import { AgentRefused, tunnelOver, type AgentAddress, type Tunnel } from './agent-exchange.js';
import type { ForwardPool } from './forward-pool.js';

/**
 * A tunnel to `host:port` as seen from inside the agent's pod: the agent dials it and
 * answers 101 once connected; with `transport: 'udp'`, once it has a UDP socket for that
 * peer. `dialMs` bounds only what follows once a forward is there (the request and the
 * agent's dial), not the forward's opening: a probe asks how the cluster routes, not how
 * busy the API server is.
 */
export async function dialThroughAgent(pool: ForwardPool, agent: AgentAddress, host: string, port: number, signal?: AbortSignal,
	{ dialMs, transport }: { dialMs?: number; transport?: 'udp' } = {}): Promise<Tunnel> {
	const path = `${AGENT_PATHS.dial}?${new URLSearchParams({ host, port: String(port), ...(transport ? { transport } : {}) })}`;
	const { forward, warm } = await pool.take(signal);
	if (dialMs !== undefined) signal = signal ? AbortSignal.any([signal, AbortSignal.timeout(dialMs)]) : AbortSignal.timeout(dialMs);
	try {
		return await tunnelOver(forward, agent, path, signal);
	} catch (error) {
		// A forward that waited may have died unseen (the agent restarted): once more on a new
		// one. The agent's own answer (the host refused) and an abort are final.
		if (!warm || error instanceof AgentRefused || signal?.aborted) throw error;
		return tunnelOver(await pool.open(signal), agent, path, signal);
	}
}
