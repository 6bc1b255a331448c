import { configTokenNeedsSession, configTokenUnresolved } from './config-errors.js';
import type { LoadedConfig } from './config-types.js';

/** A reference to something of the session, written `$(kind:argument)` in an env value. */
export type ConfigToken =
	| { kind: 'services'; name: string; namespace?: string }
	| { kind: 'volumeMounts'; name: string }
	| { kind: 'externalEndpoints'; host: string; port: number };

/**
 * How a session answers tokens: each lookup gives undefined when what the token names does
 * not exist. A lookup that is absent means the session has no such feature (no outbound
 * access, no copied files, or no session at all): its tokens fail with
 * `configTokenNeedsSession` instead of guessing.
 */
export interface TokenLookups {
	/** The local address of a Service (namespace undefined: the target's namespace). */
	service?(name: string, namespace: string | undefined): string | undefined;
	/** The local folder holding a volume mount's files. */
	volumeMount?(name: string): string | undefined;
	/** The local `host:port` through which the agent reaches an outside host. */
	externalEndpoint?(host: string, port: number): string | undefined;
	/** A variable of the container's environment, for a plain `$(NAME)`. */
	variable?(name: string): string | undefined;
}

/** A variable of the configuration with its tokens resolved. */
export interface ConfigEnvVar {
	name: string;
	value: string;
	/** The container variables its `$(NAME)` references used, so a secret one taints it. */
	references: string[];
}

const LABEL = '[a-z0-9](?:[-a-z0-9]*[a-z0-9])?';
const SERVICE = new RegExp(`^(${LABEL})(?:\\.(${LABEL}))?$`);
const MOUNT = new RegExp(`^${LABEL}$`);
const ENDPOINT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[-A-Za-z0-9.]*[A-Za-z0-9])?):(\d{1,5})$/;

/** The token `$(kind:argument)` stands for, or why it is malformed. */
function parseToken(inner: string): ConfigToken | { problem: string } {
	const colon = inner.indexOf(':');
	const kind = inner.slice(0, colon);
	const argument = inner.slice(colon + 1);
	if (kind === 'services') {
		const match = SERVICE.exec(argument);
		if (!match) return { problem: `'${argument}' is not a Service name, optionally followed by .NAMESPACE` };
		return match[2] ? { kind, name: match[1], namespace: match[2] } : { kind, name: match[1] };
	}
	if (kind === 'volumeMounts') return MOUNT.test(argument) ? { kind, name: argument } : { problem: `'${argument}' is not a volume mount name` };
	if (kind === 'externalEndpoints') {
		const match = ENDPOINT.exec(argument);
		const port = match ? Number(match[2]) : 0;
		if (!match || port < 1 || port > 65535) return { problem: `'${argument}' is not HOST:PORT with a port from 1 to 65535` };
		return { kind, host: match[1], port };
	}
	return { problem: `unknown token kind '${kind}' (known: services, volumeMounts, externalEndpoints)` };
}

type Piece = { text: string } | { token: ConfigToken; source: string } | { variable: string } | { problem: string; source: string };

/**
 * Splits an env value into literal text, tokens and `$(NAME)` references, with the
 * kubelet's `$$` escape and its leniency: an unclosed `$(` and a `$` before anything
 * else stay as written.
 */
function pieces(value: string): Piece[] {
	const out: Piece[] = [];
	let text = '';
	for (let i = 0; i < value.length; i++) {
		if (value[i] !== '$' || i + 1 >= value.length) {
			text += value[i];
			continue;
		}
		const next = value[i + 1];
		const close = next === '(' ? value.indexOf(')', i + 2) : -1;
		if (next === '$') {
			text += '$';
			i++;
		} else if (close !== -1) {
			if (text) out.push({ text });
			text = '';
			const inner = value.slice(i + 2, close);
			const source = value.slice(i, close + 1);
			if (!inner.includes(':')) out.push({ variable: inner });
			else {
				const parsed = parseToken(inner);
				out.push('problem' in parsed ? { problem: parsed.problem, source } : { token: parsed, source });
			}
			i = close;
		} else text += '$';
	}
	if (text) out.push({ text });
	return out;
}

/** The outside hosts the configuration's env reaches through the cluster, each once. */
export function externalEndpointsOf(loaded: LoadedConfig): { host: string; port: number }[] {
	const found = new Map<string, { host: string; port: number }>();
	for (const value of Object.values(loaded.config.env ?? {})) {
		for (const piece of pieces(value)) {
			if ('token' in piece && piece.token.kind === 'externalEndpoints') found.set(`${piece.token.host}:${piece.token.port}`, { host: piece.token.host, port: piece.token.port });
		}
	}
	return [...found.values()];
}

/** The malformed tokens of a value, each with what is wrong; empty when all are well formed. */
export function tokenProblems(value: string): string[] {
	return pieces(value).flatMap((piece) => ('problem' in piece ? [`${piece.source}: ${piece.problem}`] : []));
}

const FEATURE_OF: Record<ConfigToken['kind'], string> = {
	services: 'outbound access to cluster Services', volumeMounts: 'the copied mounted files', externalEndpoints: 'outbound access to external endpoints',
};

/** What a token resolves to, or why not (undefined answer: missing; no lookup: feature absent). */
function answer(token: ConfigToken, lookups: TokenLookups): string | undefined | null {
	if (token.kind === 'services') return lookups.service ? lookups.service(token.name, token.namespace) : null;
	if (token.kind === 'volumeMounts') return lookups.volumeMount ? lookups.volumeMount(token.name) : null;
	return lookups.externalEndpoint ? lookups.externalEndpoint(token.host, token.port) : null;
}

/**
 * The env additions of a configuration with every token replaced by what the session's
 * lookups answer. A token they cannot answer fails with `configTokenUnresolved`, one whose
 * feature the session lacks with `configTokenNeedsSession`, both naming the file, line and
 * variable; a `$(NAME)` the container does not define stays as written.
 */
export function resolveConfigEnv(loaded: LoadedConfig, lookups: TokenLookups): ConfigEnvVar[] {
	return Object.entries(loaded.config.env ?? {}).map(([name, value]) => {
		const pointer = `/env/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;
		const at = () => loaded.positionOf(pointer);
		const references: string[] = [];
		const resolved = pieces(value).map((piece) => {
			if ('text' in piece) return piece.text;
			if ('problem' in piece) throw configTokenUnresolved(loaded.file, at(), pointer, piece.source, piece.problem);
			if ('variable' in piece) {
				const known = lookups.variable?.(piece.variable);
				if (known === undefined) return `$(${piece.variable})`;
				references.push(piece.variable);
				return known;
			}
			const { token, source } = piece;
			const found = answer(token, lookups);
			if (found === null) throw configTokenNeedsSession(loaded.file, at(), pointer, source, FEATURE_OF[token.kind]);
			if (found !== undefined) return found;
			throw configTokenUnresolved(loaded.file, at(), pointer, source, token.kind === 'services' ? 'no such Service is reachable in this session'
				: token.kind === 'volumeMounts' ? 'the target container has no such volume mount' : 'no such external endpoint is set up');
		}).join('');
		return { name, value: resolved, references };
	});
}
