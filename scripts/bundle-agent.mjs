// Bundles the agent (agent/src/main.ts) into one dependency-free CommonJS script. The
// sidecar carries it (the packaged executable embeds it; compiled code reads
// out/agent/agent.cjs) and hands it to each session's namespace as a ConfigMap, so a stock
// Node image runs it: see server/session/agent-script.ts.
import { buildSync } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The agent's script; the same sources always give the same bytes, so its ConfigMap name stays put. */
export function bundleAgent() {
	const result = buildSync({
		entryPoints: ['agent/src/main.ts'], absWorkingDir: repo, bundle: true, platform: 'node', target: 'node24', format: 'cjs',
		write: false, outfile: 'agent.cjs', logLevel: 'warning',
	});
	return result.outputFiles[0].text;
}

/** Where compiled code (tests, `out/`) finds the script. */
export const COMPILED_AGENT_SCRIPT = join(repo, 'out', 'agent', 'agent.cjs');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const out = process.argv[2] ?? COMPILED_AGENT_SCRIPT;
	mkdirSync(dirname(out), { recursive: true });
	writeFileSync(out, bundleAgent());
}
