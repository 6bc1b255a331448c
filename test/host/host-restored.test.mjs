// Runs after the test cluster went down: the machine must be as it was before `up`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const before = process.env.KUBEBRIDGE_HOST_BEFORE;
const after = process.env.KUBEBRIDGE_HOST_AFTER;

test('after down, links, addresses, routes, iptables, mounts, sysctls, sockets, /etc/hosts and processes are as before up',
	{ skip: !before || !after ? 'run by scripts/test.sh around a cluster it brought up itself' : false }, () => {
		const sections = (file) => Object.fromEntries(readFileSync(file, 'utf8').split(/^## /m).filter(Boolean)
			.map((s) => [s.slice(0, s.indexOf('\n')), s.slice(s.indexOf('\n') + 1)]));
		const was = sections(before);
		const is = sections(after);
		assert.deepEqual(Object.keys(is), Object.keys(was));
		for (const name of Object.keys(was)) assert.equal(is[name], was[name], `${name} differ`);
	});
