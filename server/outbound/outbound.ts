import type { OutboundInfo, OutboundMode, OutboundOptions, OutboundService } from '../../protocol/index.js';
import type { LocalServiceEndpoint } from '../environment/env-resolver.js';
import type { KubebridgeError } from '../errors.js';
import { clusterNames } from '../hosts/host-names.js';
import { HostsFile } from '../hosts/hosts-file.js';
import { planHostsEntries } from '../hosts/hosts-plan.js';
import { pickSessionIndex, targetKey } from '../hosts/loopback-addresses.js';
import type { Logger } from '../log/logger.js';
import { bindPort, type ConfirmFree } from './bind-port.js';
import type { OutboundTarget } from './outbound-targets.js';
import { PortListener, type Dial } from './port-listener.js';

const NO_HOSTS_NOTE = 'No-hosts mode: cluster names (a service, service.namespace, the FQDN, pod names) do not resolve on this '
	+ 'machine. Reach the services through their Kubernetes service env vars or the addresses and ports in this table.';
const FALLBACK_REASONS = new Set(['elevationRefused', 'elevationUnavailable']);

interface Served {
	target: OutboundTarget;
	address: string;
	names: string[];
	ports: { port: number; name: string | null; localPort: number; listener: PortListener }[];
}

/**
 * The local side of outbound access: an address and listeners for every service the
 * session reaches, and their cluster names in the hosts file. When the hosts file cannot be
 * changed (elevation refused or unavailable) it falls back to the no-hosts mode and says so.
 */
export class Outbound {
	private served: Served[] = [];
	private external: { host: string; port: number; localPort: number; listener: PortListener }[] = [];
	/** The file to write names to; null in no-hosts mode. */
	private readonly file: HostsFile | null;
	/** Set once this session's block is written, so stop() knows to remove it. */
	private hosts: HostsFile | null = null;
	private mode: OutboundMode = 'noHosts';
	private readonly notes: string[] = [];

	constructor(sessionId: string, private readonly options: OutboundOptions, private readonly dial: Dial, private readonly logger: Logger,
		/** Asks the user about a taken port when the options leave it open; null: never stop anything. */
		private readonly confirmFree: ConfirmFree | null = null) {
		this.file = options.hostsFile === false ? null
			: new HostsFile({ sessionId, ...(options.hostsPath ? { path: options.hostsPath } : {}) });
	}

	/** Names a crashed session left (its process is gone); first thing a session does, so a connect that fails still cleans up. */
	async removeStaleNames(): Promise<void> {
		const stale = await this.file?.removeStaleBlocks() ?? [];
		if (stale.length > 0) this.logger.info('outbound', 'removed names left by sessions that ended', { sessions: stale.map((b) => b.sessionId) });
	}

	async start(targets: OutboundTarget[], homeNamespace: string): Promise<OutboundInfo> {
		if (!(this.file && await this.startWithNames(this.file, targets, homeNamespace))) {
			this.mode = 'noHosts';
			this.notes.unshift(NO_HOSTS_NOTE);
			for (const target of targets) await this.serve(target, '127.0.0.1', [], true);
		}
		// An outside host keeps its own name for everything else on this machine: it gets a port, not a name.
		for (const { host, port } of this.options.externalEndpoints ?? []) {
			const listener = new PortListener(host, port, this.dial, this.logger);
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
		const plan = planHostsEntries(targets, homeNamespace, pickSessionIndex(hosts.addressesInUse()));
		try {
			// Before any listener: on macOS the addresses exist only once the elevated step added their lo0 aliases.
			const change = await hosts.add(plan.entries, homeNamespace);
			if (change.shadowed.length > 0) {
				this.notes.push(`Other lines of ${hosts.path} map ${change.shadowed.join(', ')} already; those names keep that meaning.`);
			}
		} catch (error) {
			if (!FALLBACK_REASONS.has((error as KubebridgeError).data?.reason)) throw error;
			this.notes.push(`The hosts file was not changed: ${(error as Error).message}`);
			return false;
		}
		this.hosts = hosts;
		this.mode = 'names';
		for (const target of targets) await this.serve(target, plan.addresses.get(targetKey(target))!, clusterNames(target, homeNamespace), false);
		return true;
	}

	private async serve(target: OutboundTarget, address: string, names: string[], anyPort: boolean): Promise<void> {
		const served: Served = { target, address, names, ports: [] };
		this.served.push(served);
		const label = target.pod ? `${target.pod}.${target.service}.${target.namespace}` : `${target.service}.${target.namespace}`;
		for (const port of target.ports) {
			const listener = new PortListener(target.dials, port.dialPort, this.dial, this.logger);
			const bound = await bindPort(listener, address, port.port, label, { freeBusyPorts: this.options.freeBusyPorts ?? this.confirmFree ?? false, anyPort });
			served.ports.push({ port: port.port, name: port.name, localPort: bound.localPort, listener });
			if (bound.note) this.notes.push(bound.note);
		}
	}

	info(): OutboundInfo {
		const services: OutboundService[] = this.served.map(({ target, address, names, ports }) => ({
			namespace: target.namespace, service: target.service, pod: target.pod ?? null, names, address, dials: target.dials,
			ports: ports.map(({ port, name, localPort, listener }) => ({ port, name, localPort, ...listener.counters() })),
		}));
		const external = this.external.map(({ host, port, localPort, listener }) => ({ host, port, address: '127.0.0.1', localPort, ...listener.counters() }));
		return { mode: this.mode, hostsPath: this.hosts?.path ?? null, services, external, notes: [...this.notes] };
	}

	/** The local endpoint of each service of `namespace` (not its pods), for the service env vars. */
	localServices(namespace: string): Map<string, LocalServiceEndpoint> {
		return new Map(this.served.filter((s) => s.target.namespace === namespace && !s.target.pod).map((s) => [s.target.service, {
			host: s.address, ports: Object.fromEntries(s.ports.map((p) => [p.port, p.localPort])),
		}]));
	}

	/** Closes every listener and removes the session's names; safe after a start that failed half-way. */
	async stop(): Promise<void> {
		await Promise.all([...this.served.flatMap((s) => s.ports), ...this.external].map((p) => p.listener.close()));
		this.served = [];
		this.external = [];
		const hosts = this.hosts;
		this.hosts = null;
		if (hosts) await hosts.remove();
	}
}
