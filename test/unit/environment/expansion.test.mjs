import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandReferences } from '../../../out/server/environment/expansion.js';

const known = { VAR_A: 'A', VAR_B: 'B', VAR_EMPTY: '', 'BAD.NAME': 'dot' };
const lookup = (name) => (Object.hasOwn(known, name) ? known[name] : undefined);

// The cases of the kubelet's own expansion tests, with the answers it gives.
const cases = [
	['$(VAR_A)', 'A'],
	['___$(VAR_B)___', '___B___'],
	['$(VAR_A)-$(VAR_B)', 'A-B'],
	['$(VAR_EMPTY)', ''],
	['$(UNKNOWN)', '$(UNKNOWN)'],
	['$(VAR_A', '$(VAR_A'],
	['$$(VAR_A)', '$(VAR_A)'],
	['$$$(VAR_A)', '$A'],
	['$$$$(VAR_A)', '$$(VAR_A)'],
	['$$', '$'],
	['$', '$'],
	['foo$', 'foo$'],
	['$x$(VAR_A)', '$xA'],
	['$()', '$()'],
	['$(VAR_A)$(VAR_A', 'A$(VAR_A'],
	['$(VAR_A)(', 'A('],
	['$(BAD.NAME)', 'dot'],
	['$(VAR_A ) $((VAR_A))', '$(VAR_A ) $((VAR_A))'],
	['$😀$(VAR_B)', '$😀B'],
	['no references at all', 'no references at all'],
];

for (const [input, expected] of cases) {
	test(`expands ${JSON.stringify(input)} as the kubelet does`, () => {
		assert.equal(expandReferences(input, lookup), expected);
	});
}
