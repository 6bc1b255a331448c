import { AGENT_ENV, DEFAULT_CONTROL_PORT, DEFAULT_HEALTH_PORT, type MirroredProbe } from './contract/contract.js';

export interface AgentSettings {
	ports: number[];
	udpPorts: number[];
	controlPort: number;
	healthPort: number;
	tokenHash: string;
	session: string;
	pod: string;
	/** The readiness probe to mirror once armed; null when readiness stays the agent's own. */
	readiness: MirroredProbe | null;
}

function port(value: string | undefined, fallback: number, what: string): number {
	const n = value === undefined || value === '' ? fallback : Number(value);
	if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${what} must be a port, got '${value}'`);
	return n;
}

function mirroredProbe(value: string | undefined, ports: number[]): MirroredProbe | null {
	if (!value) return null;
	let probe: MirroredProbe;
	try {
		probe = JSON.parse(value) as MirroredProbe;
	} catch {
		throw new Error(`${AGENT_ENV.readiness} must be JSON`);
	}
	// The sidecar writes only probes of ports the agent serves; anything else would probe nothing of the local program.
	if (!ports.includes(probe.port)) throw new Error(`${AGENT_ENV.readiness} names port ${probe.port}, which the agent does not serve`);
	if (typeof probe.path !== 'string' || !probe.path.startsWith('/')) throw new Error(`${AGENT_ENV.readiness} needs a path starting with /`);
	if (probe.scheme !== 'HTTP' && probe.scheme !== 'HTTPS') throw new Error(`${AGENT_ENV.readiness} scheme must be HTTP or HTTPS`);
	if (!Array.isArray(probe.headers)) throw new Error(`${AGENT_ENV.readiness} headers must be a list`);
	if (!(probe.timeoutSeconds > 0)) throw new Error(`${AGENT_ENV.readiness} timeoutSeconds must be positive`);
	return probe;
}

/** Reads the agent's settings from its environment; a bad one stops the agent at once. */
export function readSettings(env: NodeJS.ProcessEnv): AgentSettings {
	const tokenHash = env[AGENT_ENV.tokenHash] ?? '';
	if (!/^[0-9a-f]{64}$/.test(tokenHash)) throw new Error(`${AGENT_ENV.tokenHash} must be a hex SHA-256`);
	const list = (name: string): number[] => (env[name] ?? '').split(',').filter(Boolean).map((p) => port(p, 0, name));
	const ports = list(AGENT_ENV.ports);
	return {
		ports,
		udpPorts: list(AGENT_ENV.udpPorts),
		controlPort: port(env[AGENT_ENV.controlPort], DEFAULT_CONTROL_PORT, AGENT_ENV.controlPort),
		healthPort: port(env[AGENT_ENV.healthPort], DEFAULT_HEALTH_PORT, AGENT_ENV.healthPort),
		tokenHash,
		session: env[AGENT_ENV.session] ?? '',
		pod: env.HOSTNAME ?? 'unknown',
		readiness: mirroredProbe(env[AGENT_ENV.readiness], ports),
	};
}
