import { setTimeout as sleep } from 'node:timers/promises';
import type { InClusterApi } from './in-cluster-api.js';
import { log } from './log.js';
import { originalsName, readRouting, type RouteEntry } from './contract/routing-record.js';

const POLL_MS = 1000;

/** Where one request (or stream, or connection) goes: a session's agent pod or the originals, and who gets a copy. */
export interface RouteChoice {
	/** The session's agent pod IP; null for the original pods. */
	session: RouteEntry | null;
	mirrors: RouteEntry[];
}

type Headers = Record<string, string | string[] | undefined>;

/** A header's values as a request carries them: repeated lines and comma-joined ones alike. */
function valuesOf(headers: Headers, name: string): string[] {
	const raw = headers[name];
	if (raw === undefined) return [];
	return (Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(',')).map((v) => v.trim());
}

const matches = (entry: RouteEntry, headers: Headers) => !entry.header || valuesOf(headers, entry.header).includes(entry.value ?? '');

/**
 * The routes of the Service, read from its annotation every second, and the originals'
 * address (the Service kubebridge made with the original selector). A request without a
 * session's header, and every connection that is not HTTP, goes to the originals.
 */
export class RouteTable {
	private routes: RouteEntry[] = [];
	private originalsIp: string | null = null;
	private stopped = false;

	constructor(private readonly api: InClusterApi, private readonly service: string) {}

	/** Whether the table was read once: until then the router does not know where the originals are. */
	get ready(): boolean {
		return this.originalsIp !== null;
	}

	get originals(): string | null {
		return this.originalsIp;
	}

	sessions(): string[] {
		return this.routes.map((r) => r.session);
	}

	choose(headers: Headers): RouteChoice {
		const session = this.routes.find((r) => r.mode === 'route' && matches(r, headers)) ?? null;
		return { session, mirrors: this.routes.filter((r) => r.mode === 'mirror' && matches(r, headers)) };
	}

	/** Raw TCP carries no header: only mirrors of every request get a copy. */
	rawMirrors(): RouteEntry[] {
		return this.routes.filter((r) => r.mode === 'mirror' && !r.header);
	}

	async follow(): Promise<void> {
		while (!this.stopped) {
			await this.refresh().catch((error: Error) => log('reading the routes failed; retrying', { error: error.message }));
			await sleep(POLL_MS);
		}
	}

	stop(): void {
		this.stopped = true;
	}

	private async refresh(): Promise<void> {
		const base = `/api/v1/namespaces/${this.api.namespace}/services`;
		if (!this.originalsIp) {
			const originals = await this.api.call('GET', `${base}/${originalsName(this.service)}`);
			if (originals.status !== 200) throw new Error(`GET service ${originalsName(this.service)}: ${originals.status}`);
			this.originalsIp = originals.body.spec?.clusterIP ?? null;
		}
		const answer = await this.api.call('GET', `${base}/${this.service}`);
		if (answer.status !== 200) throw new Error(`GET service ${this.service}: ${answer.status}`);
		const routes = readRouting(answer.body)?.routes ?? [];
		const describe = (list: RouteEntry[]) => list.map((r) => `${r.session}:${r.mode}:${r.header ?? '*'}=${r.value ?? ''}@${r.pod}`).sort().join(',');
		if (describe(routes) !== describe(this.routes)) log('routes', { routes: routes.map(({ session, mode, header, value, pod }) => ({ session, mode, header, value, pod })) });
		this.routes = routes;
	}
}
