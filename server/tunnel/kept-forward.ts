import { Agent, type ClientRequest } from 'node:http';
import type { Duplex } from 'node:stream';
import { openForward, type ApiEndpoint } from '../cluster/port-forward.js';
import type { AgentAddress } from './agent-exchange.js';

/**
 * An HTTP agent whose one connection is a port-forward to an agent pod's control port,
 * kept open between requests (the agent's server keeps connections alive): a request every
 * few seconds then costs no port-forward, no API call, of its own. A forward that broke is
 * opened again by the next request.
 */
class ForwardAgent extends Agent {
	constructor(private readonly endpoint: ApiEndpoint, private readonly address: AgentAddress) {
		super({ keepAlive: true, maxSockets: 1 });
	}

	override createConnection(_options: unknown, callback: (error: Error | null, socket?: Duplex) => void): undefined {
		openForward(this.endpoint, { namespace: this.address.namespace, pod: this.address.pod, port: this.address.controlPort })
			.then((forward) => callback(null, forward), (error: Error) => callback(error));
		return undefined;
	}

	// A forward has no TCP keep-alive, no timeout and no event-loop reference to set.
	override keepSocketAlive(): boolean {
		return true;
	}

	override reuseSocket(_socket: unknown, request: ClientRequest): void {
		request.reusedSocket = true;
	}
}

/** The kept forward to whichever agent pod is asked for; one to another pod ends the previous one. */
export class KeptForwards {
	private current: { pod: string; agent: ForwardAgent } | null = null;

	constructor(private readonly endpoint: ApiEndpoint) {}

	to(address: AgentAddress): Agent {
		if (this.current?.pod !== address.pod) {
			this.current?.agent.destroy();
			this.current = { pod: address.pod, agent: new ForwardAgent(this.endpoint, address) };
		}
		return this.current.agent;
	}

	close(): void {
		this.current?.agent.destroy();
		this.current = null;
	}
}
