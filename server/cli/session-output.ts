import type { ConnectResult, DisconnectResult, OutboundInfo, WorkDoneProgressValue } from '../../protocol/index.js';
import { formatMountedFiles } from './format.js';

/** How a command that holds a session tells the user what happens: lines on stderr, or JSON lines. */
export interface SessionOutput {
	say(event: string, text: string, data?: object): void;
	progress(value: WorkDoneProgressValue): void;
}

/** Text lines go to stderr; with `json`, one JSON object per event goes to `jsonStream` instead. */
export function sessionOutput(json: boolean, jsonStream: NodeJS.WritableStream): SessionOutput {
	const say = (event: string, text: string, data: object = {}): void => {
		if (json) jsonStream.write(JSON.stringify({ event, ...data }) + '\n');
		else process.stderr.write(`${text}\n`);
	};
	// Waits report each poll; on a terminal, a line that says what the one before said is noise.
	let lastReport = '';
	return {
		say,
		progress(value) {
			if (value.kind === 'begin') {
				lastReport = '';
				say('progress', `${value.title}${value.message ? `: ${value.message}` : ''}…`, value);
			} else if (value.kind === 'report' && value.message && (json || value.message !== lastReport)) {
				lastReport = value.message;
				say('progress', `  ${value.message}`, value);
			}
		},
	};
}

/** The connected targets in one line: each with its namespace, agent pods and port mappings. */
export function describeConnected(result: ConnectResult): string {
	return result.targets.map((t) => {
		const ports = t.ports.map((p) => `${p.servicePort ?? p.remote}${p.protocol === 'UDP' ? '/udp' : ''}→localhost:${p.local}${p.protocol === 'UDP' ? '/udp' : ''}`).join(', ');
		const shared = t.mode === 'mirror' ? `, mirrored${t.route ? ` where ${t.route.header}: ${t.route.value}` : ''}`
			: t.route ? `, only requests with ${t.route.header}: ${t.route.value}` : '';
		return `${t.target} in ${t.namespace} (${t.agentPods.length} pod${t.agentPods.length === 1 ? '' : 's'}: ${ports}${shared})`;
	}).join('; ');
}

/** The last line of a session: what was put back, and which services were not yet seen routing to it. */
export function describeDisconnected(result: DisconnectResult): string {
	const stale = (result.stale ?? []).map((s) => ` ${s.target} may still send some callers to a pod that is gone: ${s.reason}.`).join('');
	return `Restored ${result.restored.join(', ') || 'nothing'}.${stale}`;
}

/** Under the Ready line: where each target's mounted files were copied, and what was not. */
export function mountedFilesLines(result: ConnectResult): string[] {
	return result.targets.flatMap((t) => (t.files ? formatMountedFiles(t.target, t.files) : []));
}

/** The services this machine reaches, one line each, and what the user should know. */
export function outboundLines(info: OutboundInfo): string[] {
	const lines = info.services.map((s) => {
		const ports = s.ports.map((p) => `${p.localPort === p.port ? `${p.port}` : `${p.port}→${p.localPort}`}${p.protocol === 'UDP' ? '/udp' : ''}`).join(',');
		const name = s.names[0] ?? `${s.pod ? `${s.pod}.` : ''}${s.service}.${s.namespace}`;
		return `  ${name} → ${s.address}:${ports}`;
	});
	const where = info.mode === 'names' ? `by name (${info.hostsPath})` : 'on these addresses';
	return [`Cluster services reached from this machine ${where}:`, ...lines, ...info.notes.map((n) => `  Note: ${n}`)];
}
