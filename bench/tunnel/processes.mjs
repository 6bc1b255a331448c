// The child processes of the tunnel benchmark (forwarders, the local echo, the sidecar,
// Toxiproxy) and their resident memory.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Starts a process and resolves once `ready(line)` returns something for a line of its
 * stdout (or stderr): that value is the process's `value`. Fails with its output if it
 * exits or says nothing in time.
 */
export function startProcess(command, args, { env = process.env, ready, timeoutMs = 30_000, cwd } = {}) {
	const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
	const value = new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`${command} said nothing ready within ${timeoutMs} ms:\n${output.slice(-2000)}`)), timeoutMs);
		let pending = '';
		const onData = (data) => {
			output += data;
			pending += data;
			let newline;
			while ((newline = pending.indexOf('\n')) >= 0) {
				const line = pending.slice(0, newline);
				pending = pending.slice(newline + 1);
				const found = ready(line);
				if (found !== undefined && found !== null) {
					clearTimeout(timer);
					resolve(found);
				}
			}
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		void exited.then((code) => {
			clearTimeout(timer);
			reject(new Error(`${command} exited (${code}) before it was ready:\n${output.slice(-2000)}`));
		});
	});
	return {
		child,
		value,
		exited,
		output: () => output,
		/** Signals the process and waits for it; SIGKILL after `graceMs`. */
		async stop(signal = 'SIGTERM', graceMs = 5000) {
			if (child.exitCode !== null || child.signalCode !== null) return exited;
			child.kill(signal);
			const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
			const code = await exited;
			clearTimeout(timer);
			return code;
		},
	};
}

/** The JSON line `{"port": N}` the benchmark's own helpers print. */
export const jsonPort = (line) => {
	try { return JSON.parse(line).port; } catch { return undefined; }
};

export function rssMb(pid) {
	try {
		return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
	} catch {
		return NaN;
	}
}

/**
 * Samples the resident memory of a process (or of several together, `pid` a list) every
 * `everyMs` until `stop()`: start, max and end in MB.
 */
export function sampleRss(pid, everyMs = 200) {
	const rss = () => [pid].flat().reduce((sum, one) => sum + rssMb(one), 0);
	const start = rss();
	let max = start;
	const timer = setInterval(() => { max = Math.max(max, rss()); }, everyMs);
	return {
		stop() {
			clearInterval(timer);
			const end = rss();
			return { start, max: Math.max(max, end), end };
		},
	};
}
