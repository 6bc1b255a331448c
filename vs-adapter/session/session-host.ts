import type { Server } from 'node:net';
import {
	ConfigRequest, ConnectRequest, DiagnosticsRequest, DidChangeStateNotification, DisconnectRequest, EnvironmentRequest, ServicesRequest, SessionStatusRequest,
	type ConnectResult, type ConnectTarget, type WorkDoneProgressValue,
} from '../../protocol/index.js';
import { formatDiagnostics, describeDisconnected, Logger } from '../../server/client-surface.js';
import { formatError } from '../output/msbuild-line.js';
import { installLaunchProfile, removeLaunchProfile } from '../profiles/profile-handover.js';
import { discoverWorkspace } from '../project/project-discovery.js';
import { planConnect, selectProject, type ConnectChoices, type ConnectPlan } from './connect-plan.js';
import { serveControl, type ControlAnswer, type ControlCommand } from './control-channel.js';
import { startSidecar, type Sidecar, type SidecarOptions } from './sidecar.js';
import { controlPath, deleteState, ensureStateDirectory, sessionKey, writeState, type SessionState } from './session-state.js';
import { workspaceFolderOf } from './workspace-folder.js';

export interface HostOptions {
	solutionDir: string;
	projectDir: string | null;
	/** The packaged `kubebridge` executable. */
	sidecar: string;
	kubeconfig?: string;
	context?: string;
	agentImage?: string;
	agentBaseImage?: string;
	choices: ConnectChoices;
	stateDirectory: string;
	recordDirectory?: string;
}

/** How the background process talks to the `connect` run that started it, until it is ready. */
export interface Handshake {
	line(text: string): void;
	ready(lines: string[]): void;
	failed(line: string): void;
}

const progressLine = (value: WorkDoneProgressValue): string | null =>
	value.kind === 'begin' ? `${value.title}${value.message ? `: ${value.message}` : ''}...`
		: value.kind === 'report' && value.message ? `  ${value.message}` : null;

function target(plan: ConnectPlan): ConnectTarget {
	return {
		service: plan.service, localPort: plan.localPort,
		...(plan.namespace ? { namespace: plan.namespace } : {}),
		...(plan.container ? { container: plan.container } : {}),
	};
}

const readyLines = (plan: ConnectPlan, result: ConnectResult): string[] => [
	...result.targets.map((t) => `Connected: ${t.target} in ${t.namespace} (${t.agentPods.length} pod${t.agentPods.length === 1 ? '' : 's'}) now reaches localhost:${plan.localPort}.`),
	`Launch profile '${plan.profile.entry}' written to ${plan.profile.file}: choose it in the F5 drop-down.`,
	'Disconnect (Tools > kubebridge: Disconnect) before committing that file: the profile holds the cluster\'s environment.',
];

/**
 * The background session of one solution: starts the sidecar, connects the project's
 * service, hands its environment to F5 through a launch profile, and then answers later
 * `kubebridge-vs` runs until `disconnect` (or the sidecar's end) takes it all back.
 * `kubebridge.yaml` is the sidecar's to read (`config/get`). Resolves with the process's
 * exit code.
 */
export async function runSessionHost(options: HostOptions, handshake: Handshake,
	start: (options: SidecarOptions) => Promise<Sidecar> = startSidecar): Promise<number> {
	const logger = Logger.forRun('vs-adapter');
	const key = sessionKey(options.solutionDir);
	const recordOptions = options.recordDirectory ? { recordDirectory: options.recordDirectory } : {};
	let sidecar: Sidecar | null = null;
	let connected = false;
	let plan: ConnectPlan | null = null;
	let profileWritten = false;
	let control: Server | null = null;
	let reportProgress = true;

	const undo = async (): Promise<string[]> => {
		const lines: string[] = [];
		if (sidecar && connected) {
			const result = await sidecar.connection.sendRequest(DisconnectRequest.type, { workDoneToken: 'vs' });
			connected = false;
			lines.push(describeDisconnected(result));
		}
		if (plan && profileWritten) {
			const removed = removeLaunchProfile(plan.profile.file, recordOptions);
			profileWritten = false;
			if (removed) lines.push(`Launch profile '${removed.entry}' removed from ${removed.file} (${removed.outcome}).`);
		}
		if (sidecar) await sidecar.close().catch(() => undefined);
		return lines;
	};

	try {
		const workspace = discoverWorkspace(options.solutionDir);
		const project = selectProject(workspace, options.projectDir);
		sidecar = await start({
			executable: options.sidecar, workspaceFolder: workspaceFolderOf(workspace.root, options.projectDir),
			...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
			...(options.agentImage ? { agentImage: options.agentImage } : {}),
			...(options.agentBaseImage ? { agentBaseImage: options.agentBaseImage } : {}),
			cluster: { ...(options.choices.namespace ? { namespace: options.choices.namespace } : {}), ...(options.context ? { context: options.context } : {}) },
			onProgress: (value) => {
				const line = progressLine(value);
				if (line && reportProgress) handshake.line(line);
			},
		});
		sidecar.connection.onNotification(DidChangeStateNotification.type, (event) => logger.info('session', event.message, { change: event.change }));
		const { config } = await sidecar.connection.sendRequest(ConfigRequest.type, {});
		const namespace = options.choices.namespace ?? config?.targets?.find((t) => t.namespace)?.namespace;
		const services = await sidecar.connection.sendRequest(ServicesRequest.type, { workDoneToken: 'vs', ...(namespace ? { namespace } : {}) });
		plan = planConnect(project, config, services.services.filter((s) => s.connectable).map((s) => s.name), { ...options.choices, ...(namespace ? { namespace } : {}) });
		handshake.line(`Project ${project.name}: connecting service ${plan.service} to localhost:${plan.localPort}.`);
		const result = await sidecar.connection.sendRequest(ConnectRequest.type, { targets: [target(plan)], workDoneToken: 'vs' });
		connected = true;
		const environment = await sidecar.connection.sendRequest(EnvironmentRequest.type, { target: target(plan), reveal: true });
		installLaunchProfile({
			...recordOptions, file: plan.profile.file, kind: plan.profile.kind, entry: plan.profile.entry,
			content: { env: Object.fromEntries(environment.vars.map((v) => [v.name, v.value])), applicationUrl: plan.profile.applicationUrl, baseConfiguration: null },
		});
		profileWritten = true;
		const state: SessionState = {
			version: 1, pid: process.pid, sidecarPid: sidecar.child.pid!, solutionDir: workspace.root, projectDir: project.directory,
			service: plan.service, namespace: result.targets[0]!.namespace, localPort: plan.localPort, sessionId: result.sessionId,
			profile: { file: plan.profile.file, entry: plan.profile.entry },
			logFiles: [sidecar.initializeResult.logFile, ...(logger.file ? [logger.file] : [])],
			control: controlPath(options.stateDirectory, key), startedAt: new Date().toISOString(),
		};
		let stop: (code: number) => void = () => undefined;
		const stopped = new Promise<number>((resolve) => { stop = resolve; });
		const running = sidecar;
		ensureStateDirectory(options.stateDirectory);
		control = await serveControl(state.control, async (command: ControlCommand): Promise<ControlAnswer> => {
			try {
				if (command === 'disconnect') {
					const lines = await undo();
					stop(0);
					return { lines, failed: false };
				}
				return { lines: command === 'status' ? await statusLines(running, state) : await diagnosticLines(running, state), failed: false };
			} catch (error) {
				return { lines: [formatError(error)], failed: true };
			}
		});
		writeState(options.stateDirectory, key, state);
		for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void undo().finally(() => stop(1)));
		void running.exited.then((code) => {
			if (!connected) return;
			logger.error('sidecar', 'the sidecar ended while connected', { code });
			connected = false;
			void undo().finally(() => stop(1));
		});
		reportProgress = false;
		handshake.ready(readyLines(plan, result));
		const code = await stopped;
		deleteState(options.stateDirectory, key);
		await new Promise((resolve) => control!.close(resolve));
		return code;
	} catch (error) {
		logger.error('vs-adapter', 'connect failed', { error: String(error) });
		await undo().catch(() => undefined);
		control?.close();
		handshake.failed(formatError(error));
		return 1;
	}
}

async function statusLines(sidecar: Sidecar, state: SessionState): Promise<string[]> {
	const status = await sidecar.connection.sendRequest(SessionStatusRequest.type, {});
	const serving = status.agents.filter((a) => a.state === 'serving').length;
	return [
		`Connected since ${state.startedAt}: service ${state.service} in ${state.namespace} reaches localhost:${state.localPort}.`,
		`Agents: ${serving} of ${status.agents.length} serving, ${status.agents.reduce((n, a) => n + a.totalConnections, 0)} connection(s) so far.`,
		...(state.profile ? [`Launch profile '${state.profile.entry}' in ${state.profile.file}.`] : []),
	];
}

/** The sidecar's `diagnostics/get` as `kubebridge diagnostics` prints it (secret values masked), and the adapter's own log. */
async function diagnosticLines(sidecar: Sidecar, state: SessionState): Promise<string[]> {
	const diagnostics = await sidecar.connection.sendRequest(DiagnosticsRequest.type, {});
	return [...formatDiagnostics(diagnostics).split('\n'), ...state.logFiles.filter((f) => f !== diagnostics.logs.file).map((file) => `Adapter log: ${file}`)];
}
