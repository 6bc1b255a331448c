/**
 * What a request's declaration states besides its types. The server's bindings, its
 * `$/progress` and the meta-model read it from here, and the spec's prose must say the
 * same; more of what the prose states per method (direction, progress) belongs here too.
 */
export interface RequestTraits {
	/** Whether `$/cancelRequest` for the request is honoured; its `$/progress` `begin` says the same. */
	readonly cancellable: boolean;
}
