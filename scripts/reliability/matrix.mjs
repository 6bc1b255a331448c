// The crash and exit matrix: the sidecar, driven as an editor drives it, ends by kill -9,
// SIGTERM, SIGINT, its editor dying or `shutdown`, while connect rolls out the agents,
// while it serves, and while disconnect restores; and a connect that fails. After each:
// the Deployment equals the original, nothing of the session is left in the cluster, the
// hosts file is byte-identical, and no process the sidecar started is left.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { startSidecar } from '../../test/helpers/executable.mjs';
import {
	SESSION_LABEL, UNPULLABLE_IMAGE, comparableObject, isReadyPod, kubectlAsync, kubectlJsonAsync, podsOf, waitFor,
} from '../../test/helpers/workload-fixtures.mjs';

export const METHODS = ['kill -9', 'SIGTERM', 'SIGINT', 'editor dies', 'shutdown'];
export const PHASES = ['rollout', 'serving', 'restore'];
/** How long after the sidecar ended everything must be back: the lease (20 s) plus the restorer's rollout. */
export const BOUND_MS = 60_000;
const HOSTS = '/etc/hosts';

/** Processes whose environment carries `marker`: the sidecar and anything it started. */
export function processesMarked(marker) {
	const found = [];
	for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
		try {
			if (readFileSync(`/proc/${pid}/environ`).includes(marker)) found.push(Number(pid));
		} catch { /* gone, or not ours to read */ }
	}
	return found;
}

/** Whatever any session created in the namespace: agents, lease, restorer and its RBAC. */
async function anySessionObjects(namespace) {
	const run = await kubectlAsync(['get', 'pods,leases,serviceaccounts,roles,rolebindings', '-n', namespace, '-l', SESSION_LABEL, '-o', 'name']);
	return run.stdout.split('\n').filter(Boolean);
}

const templateSession = async (namespace) => (await kubectlJsonAsync(['get', 'deployment', 'web', '-n', namespace])).spec.template.metadata.labels?.[SESSION_LABEL];

/** The original pods serve again: as many Ready as the Deployment wants, none of a session. */
async function originalsServe(namespace) {
	const deployment = await kubectlJsonAsync(['get', 'deployment', 'web', '-n', namespace]);
	const pods = (await podsOf(namespace, 'app=web')).filter((p) => !p.metadata.deletionTimestamp);
	return pods.length === deployment.spec.replicas && pods.every((p) => isReadyPod(p) && !p.metadata.labels[SESSION_LABEL]);
}

/** Seconds from `from` until `probe` holds, or null after BOUND_MS. */
async function secondsUntil(probe, from) {
	try {
		await waitFor('', probe, { ms: Math.max(0, from + BOUND_MS - Date.now()), every: 250 });
		return (Date.now() - from) / 1000;
	} catch {
		return null;
	}
}

/** Ends the sidecar by `method`; for `shutdown`, as an editor does: the request, then `exit`. */
function end(method, sidecar, editor) {
	if (method === 'kill -9') sidecar.child.kill('SIGKILL');
	else if (method === 'SIGTERM' || method === 'SIGINT') sidecar.child.kill(method);
	else if (method === 'editor dies') editor.kill('SIGKILL');
	else if (method === 'shutdown') {
		void sidecar.client.request('shutdown', undefined, 150_000).then(() => sidecar.client.notify('exit'), () => undefined);
	} else throw new Error(`unknown method ${method}`);
}

/**
 * One cell: connects `web` of `stage`, reaches `phase`, ends the sidecar by `method`, then
 * measures and checks. `failConnect` instead connects with an agent image that cannot be
 * pulled, so connect fails during the rollout, and then ends with `shutdown`.
 */
export async function runCell(stage, { method, phase, failConnect = false }, log) {
	const { namespace } = stage;
	const original = await comparableObject('deployment', namespace, 'web');
	const hostsBefore = readFileSync(HOSTS);
	const marker = `KUBEBRIDGE_MATRIX=${randomBytes(6).toString('hex')}`;
	const editor = spawn('sleep', ['600'], { stdio: 'ignore' });
	const sidecar = startSidecar({
		args: ['--kubeconfig', stage.kubeconfig, ...(failConnect ? ['--agent-base-image', UNPULLABLE_IMAGE] : []), '--clientProcessId', String(editor.pid)],
		env: { KUBEBRIDGE_MATRIX: marker.split('=')[1] },
	});
	const cell = { method, phase: failConnect ? 'rollout (connect fails)' : phase };
	try {
		const init = await sidecar.client.initialize({ cluster: { namespace } });
		if (!init.result) throw new Error(`initialize failed: ${JSON.stringify(init.error)}`);
		const connecting = sidecar.client.request('session/connect', {
			targets: [{ service: 'web', localPort: stage.local.port }], ...(failConnect ? { readyTimeoutMs: 15_000 } : {}),
		}, 150_000);
		// A sidecar ended before it answered leaves the request without an answer.
		connecting.catch(() => undefined);
		if (failConnect) {
			const failed = await connecting;
			cell.connectError = failed.error ? `${failed.error.code} ${failed.error.data?.reason}` : 'none: it connected';
		} else if (phase === 'rollout') {
			await waitFor('the agents rolling out', () => templateSession(namespace), { ms: 60_000, every: 100 });
		} else {
			const connected = await connecting;
			if (!connected.result) throw new Error(`session/connect failed: ${JSON.stringify(connected.error)}`);
			if (phase === 'restore') {
				sidecar.client.request('session/disconnect', {}, 150_000).catch(() => undefined);
				await waitFor('the template written back', async () => !(await templateSession(namespace)), { ms: 60_000, every: 100 });
			}
		}
		const endedAt = Date.now();
		end(method, sidecar, editor);
		let timer;
		const exited = await Promise.race([sidecar.exited, new Promise((resolve) => { timer = setTimeout(() => resolve('still running'), 150_000); })]);
		clearTimeout(timer);
		cell.exit = String(exited);
		cell.exitS = (Date.now() - endedAt) / 1000;
		cell.restoredS = await secondsUntil(async () => isDeepStrictEqual(await comparableObject('deployment', namespace, 'web'), original), endedAt);
		cell.originalsS = await secondsUntil(() => originalsServe(namespace), endedAt);
		cell.cleanS = await secondsUntil(async () => (await anySessionObjects(namespace)).length === 0, endedAt);
		cell.hostsIdentical = readFileSync(HOSTS).equals(hostsBefore);
		cell.processesLeft = processesMarked(marker).length;
		cell.ok = cell.restoredS !== null && cell.originalsS !== null && cell.cleanS !== null && cell.hostsIdentical && cell.processesLeft === 0
			&& !cell.exit.includes('still') && (!failConnect || cell.connectError.startsWith('-'));
		log(`${method} during ${cell.phase}: exit ${cell.exit} after ${cell.exitS.toFixed(1)} s; restored ${cell.restoredS} s, originals ready ${cell.originalsS} s, session objects gone ${cell.cleanS} s; hosts identical ${cell.hostsIdentical}; processes left ${cell.processesLeft}${cell.connectError ? `; connect error ${cell.connectError}` : ''}`);
		return cell;
	} finally {
		editor.kill('SIGKILL');
		if (sidecar.child.exitCode === null && sidecar.child.signalCode === null) {
			sidecar.child.kill('SIGTERM');
			await sidecar.exited;
		}
	}
}

/** Every method at every phase, then the failed connect. */
export async function runMatrix(stage, { log, methods = METHODS, phases = PHASES }) {
	const cells = [];
	for (const phase of phases) {
		for (const method of methods) cells.push(await runCell(stage, { method, phase }, log));
	}
	cells.push(await runCell(stage, { method: 'shutdown', phase: 'rollout', failConnect: true }, log));
	return cells;
}
