import { spawn } from 'node:child_process';
import { closeSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { alreadyConnected, sessionProcessEnded } from '../errors.js';
import { formatError } from '../output/msbuild-line.js';
import { isProcessAlive } from '../../server/client-surface.js';
import { runSessionHost, type Handshake, type HostOptions } from '../session/session-host.js';
import { readState, sessionKey } from '../session/session-state.js';
import { say, sweepStale } from './output.js';
import { selfCommand } from './self.js';

/** The background side of the handshake: JSON lines on the pipe `connect` left on fd 3, closed once settled. */
function pipeHandshake(fd: number): Handshake {
	const send = (message: object): void => {
		try {
			writeSync(fd, JSON.stringify(message) + '\n');
		} catch {
			// The connect run is gone (closed or killed): the session goes on without it.
		}
	};
	const settle = (message: object): void => {
		send(message);
		try {
			closeSync(fd);
		} catch {
			// Already closed.
		}
	};
	return { line: (text) => send({ line: text }), ready: (lines) => settle({ ready: lines }), failed: (line) => settle({ failed: line }) };
}

/** `kubebridge-vs host`: the background session, started by `connect` only. */
export async function runHost(options: HostOptions): Promise<number> {
	return runSessionHost(options, pipeHandshake(3));
}

/**
 * `kubebridge-vs connect`: starts the background session detached from Visual Studio's
 * External Tools process, prints its progress, and returns once it is connected (or failed).
 */
export async function runConnect(options: HostOptions): Promise<number> {
	const key = sessionKey(options.solutionDir);
	const running = readState(options.stateDirectory, key);
	if (running && isProcessAlive(running.pid)) {
		say(formatError(alreadyConnected(running.solutionDir, running.pid)));
		return 1;
	}
	sweepStale(options);
	const { command, prefix } = selfCommand();
	const host = spawn(command, [...prefix, 'host', '--options', JSON.stringify(options)], {
		detached: true, stdio: ['ignore', 'ignore', 'ignore', 'pipe'], windowsHide: true,
	});
	const outcome = await new Promise<number>((resolve) => {
		let settled = false;
		const lines = createInterface({ input: host.stdio[3] as Readable });
		lines.on('line', (line) => {
			const message = JSON.parse(line) as { line?: string; ready?: string[]; failed?: string };
			if (message.line !== undefined) say(message.line);
			for (const text of message.ready ?? []) say(text);
			if (message.failed !== undefined) say(message.failed);
			if (message.ready || message.failed !== undefined) {
				settled = true;
				resolve(message.ready ? 0 : 1);
			}
		});
		lines.on('close', () => {
			if (settled) return;
			say(formatError(sessionProcessEnded()));
			resolve(1);
		});
	});
	(host.stdio[3] as Readable).destroy();
	host.unref();
	return outcome;
}
