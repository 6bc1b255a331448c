import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { exitCodeOf, NOT_STARTED_EXIT_CODE } from './exit-code.js';

/** The signals a terminal or a supervisor sends to stop a program; each is passed on to the child. */
export const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type ForwardedSignal = (typeof FORWARDED_SIGNALS)[number];

/** The program to run, as `kubebridge run` decided it. */
export interface ChildSpec {
	file: string;
	args: string[];
	env: NodeJS.ProcessEnv;
	cwd: string;
	/** Run `file` through this shell, or the platform's with true (a launch command written as one string). */
	shell: string | boolean;
}

/** Where signals come from: the process itself, or a fake in tests. */
export interface SignalSource {
	on(signal: ForwardedSignal, listener: () => void): unknown;
	off(signal: ForwardedSignal, listener: () => void): unknown;
}

export type Spawn = (file: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

/** How the child ended: its exit status as a shell reports it, and why it could not start if it did not. */
export interface ChildOutcome {
	exitCode: number;
	startError?: Error;
}

/**
 * Runs the program with inherited stdio until it exits, passing SIGINT, SIGTERM and SIGHUP
 * on to it while it runs (kubebridge itself does not stop on them: it restores the
 * cluster once the program is gone). A program that cannot be started ends with 127.
 */
export function runChild(spec: ChildSpec, spawn: Spawn, signals: SignalSource): Promise<ChildOutcome> {
	return new Promise((resolve) => {
		const forwarders = FORWARDED_SIGNALS.map((signal) => [signal, () => { child.kill(signal); }] as const);
		const done = (outcome: ChildOutcome): void => {
			for (const [signal, forward] of forwarders) signals.off(signal, forward);
			resolve(outcome);
		};
		const child = spawn(spec.file, spec.args, { stdio: 'inherit', env: spec.env, cwd: spec.cwd, shell: spec.shell });
		for (const [signal, forward] of forwarders) signals.on(signal, forward);
		child.once('error', (error) => {
			// `error` also comes when a signal cannot be delivered; only a child that never ran ends here.
			if (child.pid === undefined) done({ exitCode: NOT_STARTED_EXIT_CODE, startError: error });
		});
		child.once('exit', (code, signal) => done({ exitCode: exitCodeOf(code, signal) }));
	});
}
