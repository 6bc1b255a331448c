// Starts a hosts-file session in a process of its own (test/helpers/hosts-session.mjs) and
// drives it over IPC. `onElevate(request)` plays the elevation seam: it returns nothing to
// grant or a sudo-prompt error message to fail.
import { fork } from 'node:child_process';
import { once } from 'node:events';

const script = new URL('./hosts-session.mjs', import.meta.url);
const running = new Set();

/** Kills what is still running; for a test file's `after`. */
export function killSessions() {
	for (const child of running) child.kill('SIGKILL');
}

export async function startSession(options, { onElevate, uid, gid } = {}) {
	const child = fork(script, [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], uid, gid });
	running.add(child);
	child.once('exit', () => running.delete(child));
	const inbox = [];
	const waiting = [];
	child.on('message', async (message) => {
		if (message.op === 'elevate') {
			const error = await onElevate(message.request);
			return child.send({ op: 'elevated', ...(error ? { error } : {}) });
		}
		const i = waiting.findIndex((w) => w.op === message.op);
		if (i >= 0) waiting.splice(i, 1)[0].resolve(message);
		else inbox.push(message);
	});
	const next = (op) => {
		const i = inbox.findIndex((m) => m.op === op);
		if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]);
		return new Promise((resolve) => waiting.push({ op, resolve }));
	};
	const ready = await next('ready');
	return {
		child,
		pid: ready.pid,
		do: (op, params = {}) => { child.send({ op, ...params }); return next(op); },
		end: async () => { child.send({ op: 'exit' }); await once(child, 'exit'); },
	};
}
