import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type {
	ConnectTarget, DiagnosticsParams, DiagnosticsResult, EnvVarInfo, HostsBlockInfo, SessionStatusResult,
} from '../../protocol/index.js';
import { ErrorCodes } from '../../protocol/index.js';
import type { ClusterAccess } from '../cluster/cluster-access.js';
import { KubebridgeError } from '../errors.js';
import { maskSecrets } from '../secrets/masking.js';
import { findBlocks } from '../hosts/hosts-block.js';
import { defaultHostsPath } from '../hosts/hosts-path.js';
import { logDirectory } from '../log/logger.js';
import { isProcessAlive } from '../platform/process-liveness.js';
import { SecretScrubber } from '../secrets/secret-scrubber.js';
import type { AgentRuntime } from '../session/agent-runtime.js';
import { KUBEBRIDGE_VERSION } from '../version.js';
import { writeBundle } from './bundle.js';
import { clusterSessions } from './cluster-sessions.js';

/** What the server knows that diagnostics report; each part may fail on its own. */
export interface DiagnosticsInputs {
	session: SessionStatusResult;
	logFile: string | null;
	agentLogs: string[];
	/** How the session's agents run, or a connect's would; throws when kubebridge.yaml is invalid. */
	agent(): AgentRuntime;
	/** The cluster as configured; throws when the kubeconfig cannot be loaded. */
	cluster(): ClusterAccess;
	/** A connected target's env vars, secret values included. */
	environment(target: ConnectTarget): Promise<EnvVarInfo[]>;
}

function hostsBlocks(path: string): HostsBlockInfo[] {
	return findBlocks(readFileSync(path).toString('latin1')).map((b) => ({
		sessionId: b.sessionId, pid: b.pid, alive: isProcessAlive(b.pid), entries: b.entries.map((e) => ({ address: e.address, names: e.names })),
	}));
}

/**
 * The state of kubebridge on this machine and in the cluster, as the user needs it to see
 * what is going on: what a part cannot report is listed in `problems` rather than failing
 * the whole. Secret values show only with `reveal`, and never in a bundle.
 */
export async function collectDiagnostics(inputs: DiagnosticsInputs, params: DiagnosticsParams): Promise<DiagnosticsResult> {
	// The sidecar's working folder is not the editor's, and a typo should not drop an archive just anywhere.
	if (params.bundle !== undefined && !(isAbsolute(params.bundle) && params.bundle.endsWith('.tar.gz'))) {
		throw new KubebridgeError(ErrorCodes.InvalidParams, { reason: 'invalidParams', path: '/bundle' },
			`The bundle must be an absolute path ending in .tar.gz, not ${JSON.stringify(params.bundle.slice(0, 200))}.`);
	}
	const problems: string[] = [];
	const attempt = async <T>(what: string, get: () => T | Promise<T>, fallback: T): Promise<T> => {
		try {
			return await get();
		} catch (error) {
			problems.push(`${what}: ${(error as Error).message}`);
			return fallback;
		}
	};
	const { session } = inputs;
	const cluster = await attempt('the cluster', () => inputs.cluster(), null);
	const agent = await attempt('the agent image', () => inputs.agent(), null);
	const revealed = await Promise.all(session.targets.map(async (t) => ({
		target: t.target,
		vars: await attempt(`the environment of ${t.target}`, () => inputs.environment({ workload: t.workload, namespace: t.namespace, container: t.container }), []),
	})));
	const hostsPath = session.outbound?.hostsPath ?? defaultHostsPath();
	const namespaces = params.namespace ? [params.namespace]
		: session.targets.length > 0 ? [...new Set(session.targets.map((t) => t.namespace))] : cluster ? [cluster.namespace] : [];
	const sessions = cluster ? await Promise.all(namespaces.map((ns) => attempt(`kubebridge sessions in ${ns}`, () => clusterSessions(cluster.objects, ns), []))) : [];
	const blocks = await attempt(`the hosts file ${hostsPath}`, () => hostsBlocks(hostsPath), []);
	const report = (reveal: boolean, bundle: string | null): DiagnosticsResult => ({
		versions: { kubebridge: KUBEBRIDGE_VERSION, node: process.version, platform: process.platform, arch: process.arch,
			agentImage: agent?.image ?? '', agentScript: agent?.script?.configMap ?? null },
		cluster: cluster ? { context: cluster.context, server: cluster.server, namespace: cluster.namespace } : null,
		logs: { folder: logDirectory(), file: inputs.logFile, agentLogs: inputs.agentLogs },
		session,
		environment: revealed.map(({ target, vars }) => ({ target, vars: maskSecrets(vars, reveal) })),
		hosts: { path: hostsPath, blocks },
		clusterSessions: sessions.flat(),
		problems,
		bundle,
	});
	if (!params.bundle) return report(params.reveal ?? false, null);
	const scrubber = new SecretScrubber();
	scrubber.add(revealed.flatMap(({ vars }) => vars.filter((v) => v.secret).map((v) => v.value)));
	const logs = [...(inputs.logFile ? [inputs.logFile] : []), ...inputs.agentLogs];
	const written = await attempt(`the bundle ${params.bundle}`, () => writeBundle(params.bundle!, report(false, params.bundle!), logs, scrubber).then(() => true), false);
	return report(params.reveal ?? false, written ? params.bundle : null);
}
