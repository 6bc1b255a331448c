// A closed stdout (a test that stopped reading) must not take the agent down.
process.stdout.on('error', () => undefined);

/** One JSON line per event on stdout: the kubelet keeps it, and the sidecar streams it. */
export function log(message: string, fields: Record<string, unknown> = {}): void {
	process.stdout.write(JSON.stringify({ time: new Date().toISOString(), message, ...fields }) + '\n');
}
