/**
 * The routes of a Service shared by several sessions, kept on the Service itself: the
 * sessions register their routes there, the router pods read them, the restorers and the
 * sidecars take their own away, and the last one writes the original selector back. One
 * object written with optimistic concurrency, so two sessions never both think they are
 * the first or the last.
 */

/** On a routed Service: the `RoutingRecord` as JSON. */
export const ROUTING_ANNOTATION = 'kubebridge.io/routing';
/** On the router pods: the Service they route for. The routed Service selects this label alone. */
export const ROUTER_LABEL = 'kubebridge.io/router';
/** What a router is started with, besides the agent's ports and health port. */
export const ROUTER_ENV = { service: 'KUBEBRIDGE_ROUTER_SERVICE' } as const;
/** On a restorer: the Services of its namespace where its session has routes, as a JSON list of names. */
export const RESTORE_ROUTES_ENV = 'KUBEBRIDGE_RESTORE_ROUTES';
/** A request carrying this header is answered by the router itself: connect and disconnect probe with it. */
export const ROUTE_PROBE_HEADER = 'kubebridge-route-probe';
/** On a probe's answer: the router pod. */
export const ROUTER_POD_HEADER = 'kubebridge-router';
/** On a probe's answer: the sessions whose routes the router knows, comma-separated. */
export const ROUTER_SESSIONS_HEADER = 'kubebridge-routes';
/** On an answer the router made itself (no destination answered): the reason, as `RouteFailure`. */
export const ROUTE_ERROR_HEADER = 'kubebridge-route-error';

export type RouteMode = 'route' | 'mirror';

/** One session's claim on the Service's requests. */
export interface RouteEntry {
	session: string;
	mode: RouteMode;
	/** Lower-case header name; absent for a mirror of every request. */
	header?: string;
	value?: string;
	/** The session's agent pod IP: the router sends what the entry selects there, on the same port. */
	pod: string;
	/** `user@host pid N`, for whoever is told the value is taken. */
	holder: string;
}

export interface RoutingRecord {
	/** The Service's selector before the first route: written back when the last goes. */
	selector: Record<string, string>;
	/** The router Deployment the Service selects meanwhile. */
	router: string;
	routes: RouteEntry[];
}

interface ServiceLike {
	metadata: { annotations?: Record<string, string> | null; [key: string]: unknown };
	spec?: { selector?: Record<string, string> | null; [key: string]: unknown };
	[key: string]: unknown;
}

export const routerName = (service: string): string => `kubebridge-router-${service}`.slice(0, 63).replace(/-+$/, '');
export const originalsName = (service: string): string => `kubebridge-originals-${service}`.slice(0, 63).replace(/-+$/, '');

export function readRouting(service: ServiceLike): RoutingRecord | null {
	const text = service.metadata.annotations?.[ROUTING_ANNOTATION];
	if (!text) return null;
	try {
		const record = JSON.parse(text) as RoutingRecord;
		return record && Array.isArray(record.routes) && typeof record.router === 'string' ? record : null;
	} catch {
		return null;
	}
}

/** Two route entries that would both want the same request. */
export function sameClaim(a: Pick<RouteEntry, 'mode' | 'header' | 'value'>, b: Pick<RouteEntry, 'mode' | 'header' | 'value'>): boolean {
	return a.mode === 'route' && b.mode === 'route' && a.header === b.header && a.value === b.value;
}

/**
 * The Service with `entry` among its routes (replacing the session's earlier one); the
 * first route saves the selector and points the Service at `router`.
 */
export function withRoute(service: ServiceLike, entry: RouteEntry, router: string, serviceName: string): ServiceLike {
	const current = readRouting(service);
	const record: RoutingRecord = current
		? { ...current, routes: [...current.routes.filter((r) => r.session !== entry.session), entry] }
		: { selector: { ...(service.spec?.selector ?? {}) }, router, routes: [entry] };
	return {
		...service,
		metadata: { ...service.metadata, annotations: { ...(service.metadata.annotations ?? {}), [ROUTING_ANNOTATION]: JSON.stringify(record) } },
		spec: { ...service.spec, selector: { [ROUTER_LABEL]: serviceName } },
	};
}

/**
 * The Service without `session`'s routes: with the original selector and no annotation of
 * ours once none is left. Null when the session had no route there.
 */
export function withoutRoutes(service: ServiceLike, session: string): { service: ServiceLike; last: boolean } | null {
	const record = readRouting(service);
	if (!record || !record.routes.some((r) => r.session === session)) return null;
	const routes = record.routes.filter((r) => r.session !== session);
	const annotations = { ...(service.metadata.annotations ?? {}) };
	if (routes.length > 0) {
		annotations[ROUTING_ANNOTATION] = JSON.stringify({ ...record, routes });
		return { service: { ...service, metadata: { ...service.metadata, annotations } }, last: false };
	}
	delete annotations[ROUTING_ANNOTATION];
	return {
		service: {
			...service,
			metadata: { ...service.metadata, annotations: Object.keys(annotations).length > 0 ? annotations : null },
			spec: { ...service.spec, selector: record.selector },
		},
		last: true,
	};
}
