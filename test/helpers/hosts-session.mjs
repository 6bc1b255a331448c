// A kubebridge session's hosts-file side in a process of its own, driven over IPC by the
// hosts tests: concurrent sessions, a crashed owner, a user without write access to the
// file (elevation through the replaced seam) and a private mount namespace.
// argv[2]: JSON { path?, sessionId, platform? }. Messages in: { op: 'add', entries, namespace }
// | { op: 'remove' } | { op: 'removeStale' } | { op: 'exit' }. Messages out: { op, result }
// or { op, error: { reason, message, hint } }; { op: 'elevate', request } asks the parent
// to play the elevation seam and answer { op: 'elevated', error? }.
import { HostsFile } from '../../out/server/hosts/hosts-file.js';
import { Elevation } from '../../out/server/hosts/elevation.js';

const options = JSON.parse(process.argv[2]);
const pending = [];
const seam = (request) => new Promise((resolve, reject) => {
	pending.push({ resolve, reject });
	process.send({ op: 'elevate', request });
});
const elevation = new Elevation(seam);
const hosts = new HostsFile({ ...options, elevation });

process.on('message', async (message) => {
	if (message.op === 'elevated') {
		const { resolve, reject } = pending.shift();
		return message.error ? reject(new Error(message.error)) : resolve();
	}
	if (message.op === 'exit') return process.disconnect();
	try {
		const result = message.op === 'add' ? await hosts.add(message.entries, message.namespace)
			: message.op === 'remove' ? await hosts.remove()
			: await hosts.removeStaleBlocks();
		process.send({ op: message.op, result, prompts: elevation.prompts });
	} catch (error) {
		process.send({ op: message.op, error: { reason: error.data?.reason, message: error.message, hint: error.data?.hint }, prompts: elevation.prompts });
	}
});
process.send({ op: 'ready', pid: process.pid });
