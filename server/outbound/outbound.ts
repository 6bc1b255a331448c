import type { OutboundInfo, OutboundMode, OutboundOptions, OutboundService } from '../../protocol/index.js';
import type { LocalServiceEndpoint } from '../environment/env-resolver.js';
import type { KubebridgeError } from '../errors.js';
import { clusterNames } from '../hosts/host-names.js';
import { HostsFile } from '../hosts/hosts-file.js';
import { planHostsEntries } from '../hosts/hosts-plan.js';
import { pickSessionIndex, targetKey } from '../hosts/loopback-addresses.js';
import type { Logger } from '../log/logger.js';
import { bindPort, type BindPolicy, type ConfirmFree } from './bind-port.js';
import type { OutboundTarget } from './outbound-targets.js';
import { PortListener, type Dial, type OutgoingRewrite } from './port-listener.js';
import { bindUdpPort, UdpPortListener } from './udp-port-listener.js';
import { FOLLOW_EVERY_MS, ServiceFollower, type OutboundChange } from './service-follower.js';

const NO_HOSTS_NOTE = 'No-hosts mode: cluster names (a service, service.namespace, the FQDN, pod names) do not resolve on this '
	+ 'machine. Reach the services through their Kubernetes service env vars or the addresses and ports in this table.';
const FALLBACK_REASONS = new Set(['elevationRefused', 'elevationUnavailable']);

interface Served {
	target: OutboundTarget;
	address: string;
	names: string[];
	ports: { port: number; name: string | null; protocol: 'TCP' | 'UDP'; localPort: number; listener: PortListener | UdpPortListener }[];
	/** Its ports that listen elsewhere than wanted, and why: they go when it goes. */
	notes: string[];
}

const labelOf = (t: OutboundTarget): string => [...(t.pod ? [t.pod] : []), t.service, t.namespace].join('.');
/** What its listeners depend on: another host to dial or other ports need new ones. */
const shapeOf = (t: OutboundTarget): string => JSON.stringify([t.dials, t.ports]);

/**
 * The local side of outbound access: an address and listeners for every service the
 * session reaches, and their cluster names in the hosts file, kept in step with the
 * cluster while the session lasts. When the hosts file cannot be changed (elevation refused
 * or unavailable) it falls back to the no-hosts mode and says so.
 */
export class Outbound {
	private served: Served[] = [];
	private external: { host: string; port: number; localPort: number; listener: PortListener }[] = [];
	/** Listeners of services that went, until their last connection ends; stop() resets those. */
	private readonly draining = new Set<PortListener | UdpPortListener>();
	/** The file to write names to; null in no-hosts mode. */
	private readonly file: HostsFile | null;
	/** Set once this session's block is written, so stop() knows to remove it. */
	private hosts: HostsFile | null = null;
	private homeNamespace = '';
	private sessionIndex = 0;
	private follower: ServiceFollower | null = null;
	private mode: OutboundMode = 'noHosts';
	private readonly notes: string[] = [];
	private shadowNote: string | null = null;
	/** What changed and has not been reported yet. */
	private unreported: OutboundChange = { added: [], removed: [], changed: [] };

	constructor(sessionId: string, private readonly options: OutboundOptions, private readonly dial: Dial, private readonly logger: Logger,
		/** Asks the user about a taken port when the options leave it open; null: never stop anything. */
		private readonly confirmFree: ConfirmFree | null = null,
		/** Rewrites what the local program sends to the services (header routing adds its header); absent, bytes pass as they are. */
		private readonly rewrite?: OutgoingRewrite) {
		this.file = options.hostsFile === false ? null
			: new HostsFile({ sessionId, ...(options.hostsPath ? { path: options.hostsPath } : {}) });
	}

	/** Names a crashed session left (its process is gone); first thing a session does, so a connect that fails still cleans up. */
	async removeStaleNames(): Promise<void> {
		const stale = await this.file?.removeStaleBlocks() ?? [];
		if (stale.length > 0) this.logger.info('outbound', 'removed names left by sessions that ended', { sessions: stale.map((b) => b.sessionId) });
	}

	async start(targets: OutboundTarget[], homeNamespace: string): Promise<OutboundInfo> {
		this.homeNamespace = homeNamespace;
		if (!(this.file && await this.startWithNames(this.file, targets, homeNamespace))) {
			this.mode = 'noHosts';
			this.notes.unshift(NO_HOSTS_NOTE);
			for (const target of targets) await this.serve(target, '127.0.0.1', [], { freeBusyPorts: this.askingPolicy(), anyPort: true });
		}
		// An outside host keeps its own name for everything else on this machine: it gets a port, not a name.
		for (const { host, port } of this.options.externalEndpoints ?? []) {
			const listener = new PortListener(host, port, this.dial, this.logger, this.rewrite);
			const bound = await bindPort(listener, '127.0.0.1', port, host, { freeBusyPorts: false, anyPort: true });
			this.external.push({ host, port, localPort: bound.localPort, listener });
		}
		return this.info();
	}

	/** `127.0.0.1:PORT` where this machine reaches an outside host through the cluster; undefined when the session has no such endpoint. */
	externalEndpoint(host: string, port: number): string | undefined {
		const found = this.external.find((e) => e.host === host && e.port === port);
		return found && `127.0.0.1:${found.localPort}`;
	}

	/** False when the hosts file cannot be changed and the no-hosts mode should take over. */
	private async startWithNames(hosts: HostsFile, targets: OutboundTarget[], homeNamespace: string): Promise<boolean> {
		this.sessionIndex = pickSessionIndex(hosts.addressesInUse());
		const plan = planHostsEntries(targets, homeNamespace, this.sessionIndex);
		try {
			// Before any listener: on macOS the addresses exist only once the elevated step added their lo0 aliases.
			await this.writeNames(hosts, plan.entries);
		} catch (error) {
			if (!FALLBACK_REASONS.has((error as KubebridgeError).data?.reason)) throw error;
			this.notes.push(`The hosts file was not changed: ${(error as Error).message}`);
			return false;
		}
		this.hosts = hosts;
		this.mode = 'names';
		for (const target of targets) {
			await this.serve(target, plan.addresses.get(targetKey(target))!, clusterNames(target, homeNamespace), { freeBusyPorts: this.askingPolicy(), anyPort: false });
		}
		return true;
	}

	private async writeNames(hosts: HostsFile, entries: { address: string; names: string[] }[]): Promise<void> {
		const change = await hosts.add(entries, this.homeNamespace);
		this.shadowNote = change.shadowed.length === 0 ? null
			: `Other lines of ${hosts.path} map ${change.shadowed.join(', ')} already; those names keep that meaning.`;
	}

	/** At connect, a taken port is the options' call, else the user's when the client can ask. */
	private askingPolicy(): BindPolicy['freeBusyPorts'] {
		return this.options.freeBusyPorts ?? this.confirmFree ?? false;
	}

	/** Listens on every port of `target`; on a failure, closes what it bound so the target is all there or not at all. */
	private async serve(target: OutboundTarget, address: string, names: string[], policy: BindPolicy): Promise<void> {
		const served: Served = { target, address, names, ports: [], notes: [] };
		try {
			for (const port of target.ports) {
				const { listener, bound } = await this.listen(target, port, address, policy);
				served.ports.push({ port: port.port, name: port.name, protocol: port.protocol, localPort: bound.localPort, listener });
				if (bound.note) served.notes.push(bound.note);
			}
		} catch (error) {
			await Promise.all(served.ports.map((p) => p.listener.close()));
			throw error;
		}
		this.served.push(served);
	}

	private async listen(target: OutboundTarget, port: OutboundTarget['ports'][number], address: string, policy: BindPolicy) {
		if (port.protocol === 'UDP') {
			const listener = new UdpPortListener(target.dials, port.dialPort, this.dial, this.logger);
			return { listener, bound: await bindUdpPort(listener, address, port.port, labelOf(target), policy.anyPort) };
		}
		const listener = new PortListener(target.dials, port.dialPort, this.dial, this.logger, this.rewrite);
		return { listener, bound: await bindPort(listener, address, port.port, labelOf(target), policy) };
	}

	/**
	 * Follows the cluster's services until stop(): `read` says what the namespaces hold now,
	 * and `changed` hears of each change made (see service-follower.ts).
	 */
	follow(read: () => Promise<OutboundTarget[]>, changed: (change: OutboundChange) => void, everyMs = FOLLOW_EVERY_MS): void {
		this.follower = new ServiceFollower(read, (targets) => this.update(targets), changed, this.logger, everyMs);
		this.follower.start();
	}

	/**
	 * Brings the set served to `targets`. A service that went loses its names and stops
	 * listening (its open connections finish); a new one gets a free address of the
	 * session's range, its names and listeners; one whose ports changed keeps its address and
	 * gets new listeners. The others are left alone, addresses and connections included.
	 * The names are written first, in one rewrite of the block as at connect, so a failed
	 * write changes nothing here and the next pass tries again.
	 */
	async update(targets: OutboundTarget[]): Promise<OutboundChange> {
		const wanted = new Map(targets.map((t) => [targetKey(t), t]));
		const kept = new Map(this.served.filter((s) => wanted.has(targetKey(s.target))).map((s) => [targetKey(s.target), s.address]));
		const gone = this.served.filter((s) => {
			const now = wanted.get(targetKey(s.target));
			return !now || shapeOf(now) !== shapeOf(s.target);
		});
		const staying = this.served.filter((s) => !gone.includes(s));
		const fresh = [...wanted.values()].filter((t) => !staying.some((s) => targetKey(s.target) === targetKey(t)));
		if (gone.length + fresh.length > 0) {
			const addresses = this.hosts ? await this.placeNames(this.hosts, staying, fresh, kept) : null;
			this.served = staying;
			for (const { target, ports } of gone) {
				for (const { listener } of ports) {
					this.draining.add(listener);
					void listener.drain().then(() => this.draining.delete(listener));
				}
				(kept.has(targetKey(target)) ? this.unreported.changed : this.unreported.removed).push(labelOf(target));
			}
			for (const target of fresh) {
				const key = targetKey(target);
				// Nobody is asked mid-session (the program `kubebridge run` started owns the terminal),
				// and nothing is stopped for a service the user did not see come without their standing consent.
				await this.serve(target, addresses?.get(key) ?? '127.0.0.1', addresses ? clusterNames(target, this.homeNamespace) : [],
					{ freeBusyPorts: this.options.freeBusyPorts ?? false, anyPort: !addresses });
				if (!kept.has(key)) this.unreported.added.push(labelOf(target));
			}
		}
		// Kept until a pass gets this far: a pass that failed half-way is reported by the next.
		const change = this.unreported;
		this.unreported = { added: [], removed: [], changed: [] };
		return change;
	}

	/** Writes the block for `staying` and `fresh`; returns the addresses of all of them. */
	private async placeNames(hosts: HostsFile, staying: Served[], fresh: OutboundTarget[], kept: Map<string, string>): Promise<Map<string, string>> {
		// An empty block claims no range: another session may have taken this one since.
		if (this.served.length === 0) this.sessionIndex = pickSessionIndex(hosts.addressesInUse());
		const plan = planHostsEntries([...staying.map((s) => s.target), ...fresh], this.homeNamespace, this.sessionIndex, kept);
		await this.writeNames(hosts, plan.entries);
		return plan.addresses;
	}

	info(): OutboundInfo {
		const services: OutboundService[] = this.served.map(({ target, address, names, ports }) => ({
			namespace: target.namespace, service: target.service, pod: target.pod ?? null, names, address, dials: target.dials,
			ports: ports.map(({ port, name, protocol, localPort, listener }) => ({ port, name, protocol, localPort, ...listener.counters() })),
		}));
		const external = this.external.map(({ host, port, localPort, listener }) => ({ host, port, address: '127.0.0.1', localPort, ...listener.counters() }));
		const notes = [...this.notes, ...(this.shadowNote ? [this.shadowNote] : []), ...this.served.flatMap((s) => s.notes)];
		return { mode: this.mode, hostsPath: this.hosts?.path ?? null, services, external, notes };
	}

	/** The local endpoint of each service of `namespace` (not its pods), for the service env vars. */
	localServices(namespace: string): Map<string, LocalServiceEndpoint> {
		return new Map(this.served.filter((s) => s.target.namespace === namespace && !s.target.pod).map((s) => [s.target.service, {
			// One local port per number: where a number has both protocols, the TCP one's (they match unless the number was taken).
			host: s.address, ports: Object.fromEntries([...s.ports.filter((p) => p.protocol === 'UDP'), ...s.ports.filter((p) => p.protocol !== 'UDP')].map((p) => [p.port, p.localPort])),
		}]));
	}

	/** Closes every listener and removes the session's names; safe after a start that failed half-way. */
	async stop(): Promise<void> {
		await this.follower?.stop();
		this.follower = null;
		await Promise.all([...[...this.served.flatMap((s) => s.ports), ...this.external].map((p) => p.listener), ...this.draining].map((l) => l.close()));
		this.served = [];
		this.external = [];
		this.draining.clear();
		const hosts = this.hosts;
		this.hosts = null;
		if (hosts) await hosts.remove();
	}
}
