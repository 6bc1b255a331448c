// Where the CPU goes while a path carries traffic: every process's user+system time from
// /proc, before and after, grouped by what the process is (the API server, the kubelet,
// the sidecar, the agent, each Node script by its file name). Other work on the machine
// shows up under its own names, so a busy neighbour is visible rather than hidden.
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

const TICKS_PER_SECOND = 100;

function label(pid) {
	const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
	const program = basename(argv[0] ?? '');
	if (program !== 'node') return program || 'unknown';
	const script = argv.slice(1).find((arg) => !arg.startsWith('-'));
	return script ? `node ${basename(script)}` : 'node';
}

function snapshot() {
	const ticks = new Map();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			ticks.set(entry, { label: label(entry), ticks: Number(fields[11]) + Number(fields[12]) });
		} catch {
			// The process ended between the listing and the read.
		}
	}
	return ticks;
}

/** Starts counting; `stop()` gives CPU seconds per kind of process, largest first (processes that ended in between are not counted). */
export function countCpu() {
	const before = snapshot();
	return {
		stop() {
			const totals = new Map();
			for (const [pid, now] of snapshot()) {
				const spent = now.ticks - (before.get(pid)?.ticks ?? 0);
				if (spent > 0) totals.set(now.label, (totals.get(now.label) ?? 0) + spent / TICKS_PER_SECOND);
			}
			return [...totals].map(([name, seconds]) => ({ name, seconds })).sort((a, b) => b.seconds - a.seconds);
		},
	};
}
