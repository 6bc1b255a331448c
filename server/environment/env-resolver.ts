import type { V1ConfigMap, V1Container, V1EnvFromSource, V1EnvVar, V1Pod, V1Secret, V1Service } from '@kubernetes/client-node';
import { ErrorCodes } from '../../protocol/index.js';
import { KubebridgeError } from '../errors.js';
import type { ContainerEnvironment, EnvObjectRef, ResolvedEnvVar, SkippedEnv } from './env-types.js';
import { isStrictEnvVarName, kubeletSkipsInvalidEnvFromKeys } from './env-var-names.js';
import { envSourceNotFound } from './environment-errors.js';
import { expandReferences } from './expansion.js';
import { fieldRefValue, podAddresses, type PodAddresses } from './field-ref.js';
import { resourceFieldValue, type ResourceList } from './resource-field-ref.js';
import { serviceVariables, visibleServices } from './service-env.js';

/** Everything the kubelet reads to build a container's environment, fetched by the caller. */
export interface EnvironmentSources {
	pod: V1Pod;
	/** A regular or init container of the pod. */
	containerName: string;
	/** The ConfigMaps of the pod's namespace (at least those the container names). */
	configMaps: V1ConfigMap[];
	/** The Secrets of the pod's namespace (at least those the container names). */
	secrets: V1Secret[];
	/** The Services of the pod's namespace and the `kubernetes` Service of `default`. */
	services: V1Service[];
	/** The node's `status.allocatable`: what `resourceFieldRef` reports for unset limits. */
	nodeAllocatable?: ResourceList;
	/** The node's `status.nodeInfo.kubeletVersion`: kubelets before 1.30 skip invalid `envFrom` keys. */
	kubeletVersion?: string;
	/** Overrides the pod's IPs and the node's from the pod's status. */
	addresses?: PodAddresses;
	/** Services reached on this machine: their service variables name the local endpoint. */
	localServices?: ReadonlyMap<string, LocalServiceEndpoint>;
}

/** Where outbound access makes a Service reachable on this machine. */
export interface LocalServiceEndpoint {
	/** The local address, e.g. `127.1.0.3`. */
	host: string;
	/** Service port → local port; a port not listed keeps its number locally. */
	ports: Record<number, number>;
}

type Entry = Omit<ResolvedEnvVar, 'name'>;

function findContainer(pod: V1Pod, name: string): V1Container {
	const container = pod.spec?.containers.find((c) => c.name === name) ?? pod.spec?.initContainers?.find((c) => c.name === name);
	if (container) return container;
	const names = (pod.spec?.containers ?? []).map((c) => c.name).join(', ');
	throw new KubebridgeError(ErrorCodes.ClusterNotFound, { reason: 'resourceNotFound', name, hint: `Pick one of its containers: ${names}.` },
		`Pod ${pod.metadata?.namespace}/${pod.metadata?.name} has no container named '${name}'.`);
}

const decodeSecret = (base64: string): string => Buffer.from(base64, 'base64').toString('utf8');

/**
 * The container's environment exactly as the kubelet's `makeEnvironmentVariables` builds it:
 *
 * 1. `envFrom` sources in order, each key with its prefix (a later source overwrites an
 *    earlier one); a missing optional source is skipped, a missing required one is an error.
 * 2. `env` entries in order, overwriting `envFrom`: a non-empty `value` has its `$(VAR)`
 *    references expanded against the variables defined so far, then the service variables;
 *    otherwise `valueFrom` is resolved. A missing optional ConfigMap, Secret or key leaves
 *    the variable as it was (unset, or its `envFrom` value).
 * 3. The service variables the pod sees, for every name not already set.
 *
 * Secret data is decoded as UTF-8, since an environment handed to an editor is text.
 */
export function resolveContainerEnvironment(sources: EnvironmentSources): ContainerEnvironment {
	const { pod } = sources;
	const container = findContainer(pod, sources.containerName);
	const namespace = pod.metadata?.namespace ?? '';
	const configMaps = new Map(sources.configMaps.filter((c) => (c.metadata?.namespace ?? namespace) === namespace).map((c) => [c.metadata?.name ?? '', c]));
	const secrets = new Map(sources.secrets.filter((s) => (s.metadata?.namespace ?? namespace) === namespace).map((s) => [s.metadata?.name ?? '', s]));
	// The API server defaults enableServiceLinks to true.
	const services = visibleServices(sources.services, namespace, pod.spec?.enableServiceLinks ?? true).flatMap((service) => {
		const local = sources.localServices?.get(service.metadata?.name ?? '');
		return local ? serviceVariables(service, local.host, (port) => local.ports[port] ?? port) : serviceVariables(service);
	});
	const serviceValues = new Map(services.map((v) => [v.name, v.value]));
	const defined = new Map<string, Entry>();
	const skipped: SkippedEnv[] = [];

	const skipInvalid = kubeletSkipsInvalidEnvFromKeys(sources.kubeletVersion);
	for (const from of container.envFrom ?? []) applyEnvFrom(from);

	const addresses = sources.addresses ?? podAddresses(pod);
	for (const variable of container.env ?? []) {
		const entry = resolveEntry(variable);
		if (entry) defined.set(variable.name, entry);
	}

	const vars: ResolvedEnvVar[] = [...defined].map(([name, entry]) => ({ name, ...entry }));
	for (const variable of services) {
		if (!defined.has(variable.name)) vars.push({ name: variable.name, value: variable.value, source: 'service', secret: false, service: variable.service });
	}
	return { vars, skipped };

	function applyEnvFrom(from: V1EnvFromSource): void {
		const reference = from.configMapRef ?? from.secretRef;
		if (!reference) return;
		const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
		const name = reference.name ?? '';
		const data = kind === 'ConfigMap' ? configMaps.get(name)?.data : secretData(name);
		if (!(kind === 'ConfigMap' ? configMaps.has(name) : secrets.has(name))) {
			if (reference.optional) {
				skipped.push({ name: null, reason: 'optionalMissing', ref: { kind, name } });
				return;
			}
			throw envSourceNotFound(null, kind, namespace, name);
		}
		for (const key of Object.keys(data ?? {}).sort()) {
			const variable = `${from.prefix ?? ''}${key}`;
			const ref: EnvObjectRef = { kind, name, key };
			if (skipInvalid && !isStrictEnvVarName(variable)) {
				skipped.push({ name: variable, reason: 'invalidName', ref });
				continue;
			}
			defined.set(variable, { value: data![key], source: 'envFrom', secret: kind === 'Secret', ref });
		}
	}

	function secretData(name: string): Record<string, string> | undefined {
		const data = secrets.get(name)?.data;
		return data && Object.fromEntries(Object.entries(data).map(([key, value]) => [key, decodeSecret(value)]));
	}

	function resolveEntry(variable: V1EnvVar): Entry | null {
		if (variable.value || !variable.valueFrom) {
			let secret = false;
			const value = expandReferences(variable.value ?? '', (name) => {
				const known = defined.get(name);
				if (known) {
					secret ||= known.secret;
					return known.value;
				}
				return serviceValues.get(name);
			});
			return { value, source: 'literal', secret };
		}
		const from = variable.valueFrom;
		if (from.fieldRef) return { value: fieldRefValue(from.fieldRef, pod, addresses), source: 'field', secret: false, field: from.fieldRef.fieldPath };
		if (from.resourceFieldRef) {
			return { value: resourceFieldValue(from.resourceFieldRef, pod, container, sources.nodeAllocatable ?? {}), source: 'resource', secret: false,
				field: from.resourceFieldRef.resource };
		}
		const keyRef = from.configMapKeyRef ?? from.secretKeyRef;
		if (!keyRef) return { value: '', source: 'literal', secret: false };
		const kind = from.configMapKeyRef ? 'ConfigMap' : 'Secret';
		const ref: EnvObjectRef = { kind, name: keyRef.name ?? '', key: keyRef.key };
		const exists = kind === 'ConfigMap' ? configMaps.has(ref.name) : secrets.has(ref.name);
		const data = kind === 'ConfigMap' ? configMaps.get(ref.name)?.data : secrets.get(ref.name)?.data;
		if (!exists || !data || !Object.hasOwn(data, ref.key)) {
			if (keyRef.optional) {
				skipped.push({ name: variable.name, reason: 'optionalMissing', ref });
				return null;
			}
			throw envSourceNotFound(variable.name, kind, namespace, ref.name, exists ? ref.key : undefined);
		}
		return kind === 'ConfigMap'
			? { value: data[ref.key], source: 'configMap', secret: false, ref }
			: { value: decodeSecret(data[ref.key]), source: 'secret', secret: true, ref };
	}
}
