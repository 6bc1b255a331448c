import { spawn } from 'node:child_process';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import {
	ConfigRequest, ConnectRequest, DidChangeStateNotification, DisconnectRequest, EnvironmentRequest,
	type ClusterOptions, type ConnectResult, type ConnectTarget, type WorkDoneProgressValue,
} from '../../protocol/index.js';
import { Logger } from '../log/logger.js';
import { runChild, FORWARDED_SIGNALS, type ForwardedSignal, type SignalSource, type Spawn } from '../run/child-process.js';
import { exitCodeOf } from '../run/exit-code.js';
import { launchCommand } from '../run/launch-command.js';
import { namesShellMayDrop } from '../run/launch-shell.js';
import { runEnvironment } from '../run/run-environment.js';
import type { AgentImageChoice } from '../session/agent-runtime.js';
import { startInProcess, type ProtocolClient } from './in-process-client.js';
import type { PortQuestion } from './port-question.js';
import { outboundOptions, portQuestionFor, type OutboundArgs } from './outbound-flags.js';
import { reportError, type CommandOptions } from './run-command.js';
import { describeConnected, describeDisconnected, mountedFilesLines, outboundLines, sessionOutput } from './session-output.js';

export interface RunProgramOptions extends CommandOptions {
	/** What to connect; empty: the workspace file's targets. */
	targets: ConnectTarget[];
	/** The program and its arguments as typed after `--`; empty: the workspace file's launch command. */
	command: string[];
	/** The outbound flags as typed; what is not typed comes from kubebridge.yaml's features. */
	outboundArgs: OutboundArgs;
}

/** What `kubebridge run` touches outside itself; tests replace it. */
export interface RunSeams {
	start(logger: Logger, cluster: ClusterOptions, onProgress: (value: WorkDoneProgressValue) => void, agent?: AgentImageChoice, askToFreePort?: PortQuestion | null): Promise<ProtocolClient>;
	spawn: Spawn;
	signals: SignalSource;
	/** The environment the program's is layered on. */
	env: NodeJS.ProcessEnv;
}

export const processSeams: RunSeams = { start: startInProcess, spawn, signals: process, env: process.env };

/** Exit status when kubebridge itself failed before the program ran (the error says why). */
const FAILED = 1;
/** Exit status when no program was named (a usage error, as yargs exits on one). */
const USAGE = 2;

const environmentTarget = (result: ConnectResult): ConnectTarget => {
	const [first] = result.targets;
	return { workload: first!.workload, namespace: first!.namespace, container: first!.container };
};

/**
 * `kubebridge run`: connects, starts the program with the first target's environment
 * layered over this process's, passes SIGINT/SIGTERM/SIGHUP on to it, and once it exits
 * disconnects (the cluster restored) and answers with the program's exit status. A failed
 * connect never starts the program. kubebridge's own lines go to stderr (JSON lines with
 * `-o json`): stdout is the program's.
 */
export async function runProgram(options: RunProgramOptions, seams: RunSeams = processSeams): Promise<number> {
	const { say, progress } = sessionOutput(options.output === 'json', process.stderr);
	const logger = Logger.forRun('run');
	const connecting = new CancellationTokenSource();
	let phase: 'connecting' | 'running' | 'restoring' = 'connecting';
	let interrupted: ForwardedSignal | null = null;
	const onSignal = (signal: ForwardedSignal) => () => {
		if (phase === 'connecting') {
			interrupted ??= signal;
			say('progress', `${signal}: stopping before the program starts…`, { signal });
			connecting.cancel();
		} else if (phase === 'restoring') say('progress', `${signal}: still restoring the cluster; it finishes by itself within seconds…`, { signal });
	};
	const listeners = FORWARDED_SIGNALS.map((signal) => [signal, onSignal(signal)] as const);
	for (const [signal, listener] of listeners) seams.signals.on(signal, listener);
	let client: ProtocolClient | null = null;
	let connected = false;
	const run = async (): Promise<number> => {
		client = await seams.start(logger, options.cluster, progress, options.agent, portQuestionFor(options.outboundArgs));
		client.connection.onNotification(DidChangeStateNotification.type, (event) => say('state', `  ${event.message}`, event));
		const config = await client.connection.sendRequest(ConfigRequest.type, {});
		const launch = launchCommand(options.command, config.config?.launch, config.workspaceFolder ?? process.cwd());
		if (!launch) {
			const message = "name the program to run after '--', or set launch.command in kubebridge.yaml.";
			say('error', `kubebridge: ${message}`, { message });
			return USAGE;
		}
		const outbound = outboundOptions(options.outboundArgs, config.features);
		const result = await client.connection.sendRequest(ConnectRequest.type,
			{ targets: options.targets, workDoneToken: 'cli', ...(outbound ? { outbound } : {}) }, connecting.token);
		connected = true;
		if (result.outbound) say('outbound', outboundLines(result.outbound).join('\n'), { outbound: result.outbound });
		// The program's arguments are not echoed: they may hold what the log must not.
		const ready = `Ready: ${describeConnected(result)}. Starting ${launch.shell ? 'the launch command' : launch.file}.`;
		say('ready', [ready, ...mountedFilesLines(result)].join('\n'), { result });
		const environment = await client.connection.sendRequest(EnvironmentRequest.type, { target: environmentTarget(result), reveal: true, workDoneToken: 'cli' });
		if (interrupted) return exitCodeOf(null, interrupted);
		const dropped = namesShellMayDrop(launch.shell, environment.vars.map((v) => v.name));
		if (dropped.length > 0) {
			say('note', `kubebridge: /bin/sh may not hand ${dropped.join(', ')} to the program (no bash here); write launch.command as an array to start it without a shell.`, { names: dropped });
		}
		phase = 'running';
		const outcome = await runChild({ ...launch, env: runEnvironment(seams.env, environment.vars) }, seams.spawn, seams.signals);
		if (outcome.startError) say('error', `kubebridge: could not start ${launch.file}: ${outcome.startError.message}`, { error: outcome.startError.message });
		else say('exited', `The program exited with ${outcome.exitCode}; disconnecting…`, { exitCode: outcome.exitCode });
		return outcome.exitCode;
	};
	let exitCode: number;
	try {
		exitCode = await run();
	} catch (error) {
		if (interrupted) exitCode = exitCodeOf(null, interrupted);
		else {
			reportError(error, options.output, logger.file, process.stderr);
			exitCode = FAILED;
		}
	}
	phase = 'restoring';
	try {
		if (connected) {
			const disconnected = await client!.connection.sendRequest(DisconnectRequest.type, { workDoneToken: 'cli' });
			say('disconnected', describeDisconnected(disconnected), disconnected);
		}
	} catch (error) {
		reportError(error, options.output, logger.file, process.stderr);
		// The program's own status says nothing of this failure; 0 would hide it.
		if (exitCode === 0) exitCode = FAILED;
	} finally {
		await (client as ProtocolClient | null)?.close().catch(() => undefined);
		for (const [signal, listener] of listeners) seams.signals.off(signal, listener);
	}
	return exitCode;
}
