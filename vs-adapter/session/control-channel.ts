import { rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';

/** What a later `kubebridge-vs` run asks the background session. */
export type ControlCommand = 'status' | 'diagnostics' | 'disconnect';

/** The answer: the lines to print, and whether the command failed. */
export interface ControlAnswer {
	lines: string[];
	failed: boolean;
}

/**
 * Listens on the session's named pipe or Unix socket: one JSON line asked, one answered
 * per connection. A socket file left by a killed session is replaced.
 */
export async function serveControl(path: string, handle: (command: ControlCommand) => Promise<ControlAnswer>): Promise<Server> {
	if (process.platform !== 'win32') rmSync(path, { force: true });
	const server = createServer((socket) => {
		let asked = '';
		socket.setEncoding('utf8');
		socket.on('error', () => socket.destroy());
		socket.on('data', (chunk: string) => {
			asked += chunk;
			const end = asked.indexOf('\n');
			if (end < 0) return;
			const { command } = JSON.parse(asked.slice(0, end)) as { command: ControlCommand };
			void handle(command).then((answer) => socket.end(JSON.stringify(answer) + '\n'));
		});
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(path, () => resolve());
	});
	return server;
}

/** Asks the background session; rejects when nothing listens or no answer comes within `ms`. */
export function askSession(path: string, command: ControlCommand, ms: number): Promise<ControlAnswer> {
	return new Promise((resolve, reject) => {
		const socket = connect(path);
		let answer = '';
		const timer = setTimeout(() => socket.destroy(new Error(`the session did not answer '${command}' within ${ms / 1000} s`)), ms);
		socket.setEncoding('utf8');
		socket.on('connect', () => socket.write(JSON.stringify({ command }) + '\n'));
		socket.on('data', (chunk: string) => { answer += chunk; });
		socket.on('error', (error) => { clearTimeout(timer); reject(error); });
		socket.on('end', () => {
			clearTimeout(timer);
			try {
				resolve(JSON.parse(answer) as ControlAnswer);
			} catch {
				reject(new Error(`the session closed the control channel without answering '${command}'`));
			}
		});
	});
}
