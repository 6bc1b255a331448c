import type { V1Container, V1Pod, V1ResourceFieldSelector } from '@kubernetes/client-node';
import { isZero, milliValue, parseQuantity, wholeValue, ZERO_QUANTITY, type Quantity } from './quantity.js';
import { envFieldUnsupported } from './environment-errors.js';

/** Resource name → quantity string, as in `node.status.allocatable`. */
export type ResourceList = Record<string, string>;

// Limits the kubelet fills from the node when a container sets none; hugepages are never
// overcommitted, so a container that uses them always states its limit.
const DEFAULTED_LIMITS = ['cpu', 'memory', 'ephemeral-storage'];
// What pod-level limits (PodLevelResources, on by default since 1.34) may stand in for.
const POD_LEVEL_LIMITS = ['cpu', 'memory'];
const ONE: Quantity = { numerator: 1n, denominator: 1n };

function quantityOf(list: ResourceList | undefined, name: string): Quantity {
	const text = list?.[name];
	return (text === undefined ? null : parseQuantity(String(text))) ?? ZERO_QUANTITY;
}

/**
 * The amounts that stand in for limits a container leaves unset: the node's allocatable
 * amounts, lowered to the pod-level limits where the pod sets them.
 */
function limitCeiling(pod: V1Pod, allocatable: ResourceList): ResourceList {
	const ceiling: ResourceList = { ...allocatable };
	const podLimits = pod.spec?.resources?.limits as ResourceList | undefined;
	for (const name of POD_LEVEL_LIMITS) {
		if (podLimits?.[name] !== undefined && !isZero(quantityOf(podLimits, name)) && ceiling[name] !== undefined) ceiling[name] = podLimits[name];
	}
	return ceiling;
}

/** A container's limits with unset (or zero) cpu, memory and ephemeral storage filled from the ceiling. */
function defaultedLimits(container: V1Container, ceiling: ResourceList): ResourceList {
	const limits: ResourceList = { ...(container.resources?.limits as ResourceList | undefined) };
	for (const name of DEFAULTED_LIMITS) {
		if ((limits[name] === undefined || isZero(quantityOf(limits, name))) && ceiling[name] !== undefined) limits[name] = ceiling[name];
	}
	return limits;
}

/**
 * Go's `math.Ceil(float64(a) / float64(b))` printed as an integer, which is what the kubelet
 * computes; past 2^53 that is the float's exact integer, not the shortest decimal for it.
 */
function ceilDivide(value: bigint, divisor: bigint): string {
	return BigInt(Math.ceil(Number(value) / Number(divisor))).toString();
}

/**
 * The value of a `resourceFieldRef`, as the kubelet's `defaultPodLimitsForDownwardAPI` and
 * `ExtractContainerResourceValue` compute it: the container's request or limit (unset
 * limits defaulted as above) divided by the divisor (1 when unset or zero) and rounded up,
 * cpu counted in millicores and everything else in units. A `containerName` naming an init
 * container reads its limits as written: the kubelet defaults only the regular containers.
 */
export function resourceFieldValue(selector: V1ResourceFieldSelector, pod: V1Pod, container: V1Container, allocatable: ResourceList): string {
	const ceiling = limitCeiling(pod, allocatable);
	if (!selector.containerName) return valueOf(selector, container.resources?.requests as ResourceList | undefined, defaultedLimits(container, ceiling));
	const regular = pod.spec?.containers.find((c) => c.name === selector.containerName);
	if (regular) return valueOf(selector, regular.resources?.requests as ResourceList | undefined, defaultedLimits(regular, ceiling));
	const init = pod.spec?.initContainers?.find((c) => c.name === selector.containerName);
	if (!init) throw envFieldUnsupported(selector.resource, `container ${selector.containerName} is not in pod ${pod.metadata?.name}`);
	return valueOf(selector, init.resources?.requests as ResourceList | undefined, init.resources?.limits as ResourceList | undefined);
}

function valueOf(selector: V1ResourceFieldSelector, requests: ResourceList | undefined, limits: ResourceList | undefined): string {
	const dot = selector.resource.indexOf('.');
	const group = selector.resource.slice(0, dot);
	const name = selector.resource.slice(dot + 1);
	const known = DEFAULTED_LIMITS.includes(name) || name.startsWith('hugepages-');
	if (dot === -1 || (group !== 'limits' && group !== 'requests') || !known) {
		throw envFieldUnsupported(selector.resource, 'the kubelet supports requests and limits of cpu, memory, ephemeral-storage and hugepages-*');
	}
	const parsedDivisor = selector.divisor === undefined ? null : parseQuantity(String(selector.divisor));
	const divisor = parsedDivisor && !isZero(parsedDivisor) ? parsedDivisor : ONE;
	const quantity = quantityOf(group === 'limits' ? limits : requests, name);
	if (name === 'cpu') return ceilDivide(milliValue(quantity), milliValue(divisor));
	return ceilDivide(wholeValue(quantity), wholeValue(divisor));
}
