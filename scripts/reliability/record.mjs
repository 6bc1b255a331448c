// Writes a part's figures into docs/reliability.md between its markers
// (`<!-- faults:begin -->` … `<!-- faults:end -->`), so a rerun replaces them.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

const DOC = new URL('../../docs/reliability.md', import.meta.url).pathname;
const MiB = 1 << 20;
const s = (ms) => (ms === null || ms === undefined ? 'never' : (ms / 1000).toFixed(1));
const secs = (v) => (v === null ? '> 60' : v.toFixed(1));
const mb = (r) => `${r.start.toFixed(0)} → ${r.max.toFixed(0)} → ${r.end.toFixed(0)}`;

const HEADINGS = {
	faults: 'Network faults between the sidecar and the API server, and the agent pod deleted',
	load: 'Load through the tunnel',
	matrix: 'Crash and exit matrix',
	restarts: 'The API server and the kubelet restarted',
};

function faults(rows) {
	return [
		'| fault | how | lasted (s) | served again after it ended (s) | probes served during it | longest outage (s) | a response streaming across it, as its caller saw it | as the local process saw it | notifications (`session/didChangeState`) |',
		'|---|---|---|---|---|---|---|---|---|',
		...rows.map((r) => `| ${r.name} | ${r.how} | ${s(r.faultMs)} | ${s(r.resumedMs)} | ${(r.servedDuring * 100).toFixed(0)} % | ${s(r.longestOutageMs)} | ${r.inFlight.how} after ${r.inFlight.lines} lines, longest silence ${s(r.inFlight.gapMs)} s | ${r.proberStream ?? ''} | ${r.changes} |`),
		'',
		`Served again within 5 s of the fault's end: ${rows.filter((r) => r.resumedMs !== null && r.resumedMs <= 5000).length} of ${rows.length}.`,
	].join('\n');
}

function load(r) {
	const lines = [
		'| scenario | figure | sidecar memory start → max → end (MB) |',
		'|---|---|---|',
		`| ${r.concurrent.count} connections at once (each held 5 s by the local process) | ${r.concurrent.ok} of ${r.concurrent.count} answered from this machine, ${r.concurrent.peakAtOnce} open at once, errors ${JSON.stringify(r.concurrent.errors)}, all done in ${s(r.concurrent.ms)} s | ${mb(r.concurrent.rss)} |`,
		`| ${r.big.bytes / MiB} MiB through one connection (local → cluster) | ${r.big.how} in ${s(r.big.ms)} s (${(r.big.bytes / 1e6 / (r.big.ms / 1000)).toFixed(1)} MB/s) | ${mb(r.big.rss)} |`,
	];
	if (r.slowCluster) {
		lines.push(`| slow reader in the cluster (64 KiB per 100 ms) for ${s(r.slowCluster.ms)} s | it read ${(r.slowCluster.got / MiB).toFixed(1)} MiB; written by the local process and not read yet: ${(r.slowCluster.inBetween / MiB).toFixed(1)} MiB | ${mb(r.slowCluster.rss)} |`);
		lines.push(`| slow reader on this machine (64 KiB per 100 ms), the caller writing as fast as it may | the caller got ${(r.slowLocal.written / MiB).toFixed(1)} MiB accepted, the local process read ${(r.slowLocal.read / MiB).toFixed(1)} MiB | ${mb(r.slowLocal.rss)} |`);
	}
	const c = r.cycles;
	lines.push(`| ${c.cycles} connect/disconnect cycles in one sidecar | sockets after each disconnect ${c.after.map((a) => a.sockets).join(', ')}; agent links ${c.after.map((a) => a.agents).join(', ')}; session objects left ${c.left.length}; the prober's first call answered locally ${c.servedAfterConnectMs.map(s).join(', ')} s after connect answered | RSS after each: ${c.after.map((a) => a.rss.toFixed(0)).join(', ')} |`);
	lines.push('', `After \`shutdown\`: exit code ${r.exitCode}, Deployment restored exactly: ${r.restoredExactly ? 'yes' : 'no'}.`);
	return lines.join('\n');
}

function matrix(cells) {
	return [
		'| ended by | during | exit (after s) | spec restored (s) | original pods ready (s) | session objects gone (s) | hosts file identical | processes left |',
		'|---|---|---|---|---|---|---|---|',
		...cells.map((c) => `| ${c.method}${c.connectError ? ` (connect failed: ${c.connectError})` : ''} | ${c.phase} | ${c.exit} (${c.exitS.toFixed(1)}) | ${secs(c.restoredS)} | ${secs(c.originalsS)} | ${secs(c.cleanS)} | ${c.hostsIdentical ? 'yes' : 'no'} | ${c.processesLeft} |`),
		'',
		`Every check held in ${cells.filter((c) => c.ok).length} of ${cells.length} cells. Times from the moment the sidecar was ended.`,
	].join('\n');
}

const FORMATS = { faults, restarts: faults, load, matrix };

export function writeSection(name, result) {
	const body = `${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores shared with other sessions (load average ${loadavg()[0].toFixed(1)} when written), \`npm run reliability -- --only ${name}\`.\n\n${FORMATS[name](result)}`;
	const section = `<!-- ${name}:begin -->\n${body}\n<!-- ${name}:end -->`;
	const doc = readFileSync(DOC, 'utf8');
	const marked = new RegExp(`<!-- ${name}:begin -->[\\s\\S]*<!-- ${name}:end -->`);
	writeFileSync(DOC, marked.test(doc) ? doc.replace(marked, section) : `${doc.trimEnd()}\n\n## ${HEADINGS[name]}\n${section}\n`);
}
