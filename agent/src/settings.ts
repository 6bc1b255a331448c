import { AGENT_ENV, DEFAULT_CONTROL_PORT, DEFAULT_HEALTH_PORT } from './contract.js';

export interface AgentSettings {
	ports: number[];
	controlPort: number;
	healthPort: number;
	tokenHash: string;
	session: string;
	pod: string;
}

function port(value: string | undefined, fallback: number, what: string): number {
	const n = value === undefined || value === '' ? fallback : Number(value);
	if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${what} must be a TCP port, got '${value}'`);
	return n;
}

/** Reads the agent's settings from its environment; a bad one stops the agent at once. */
export function readSettings(env: NodeJS.ProcessEnv): AgentSettings {
	const tokenHash = env[AGENT_ENV.tokenHash] ?? '';
	if (!/^[0-9a-f]{64}$/.test(tokenHash)) throw new Error(`${AGENT_ENV.tokenHash} must be a hex SHA-256`);
	const ports = (env[AGENT_ENV.ports] ?? '').split(',').filter(Boolean).map((p) => port(p, 0, AGENT_ENV.ports));
	return {
		ports,
		controlPort: port(env[AGENT_ENV.controlPort], DEFAULT_CONTROL_PORT, AGENT_ENV.controlPort),
		healthPort: port(env[AGENT_ENV.healthPort], DEFAULT_HEALTH_PORT, AGENT_ENV.healthPort),
		tokenHash,
		session: env[AGENT_ENV.session] ?? '',
		pod: env.HOSTNAME ?? 'unknown',
	};
}
