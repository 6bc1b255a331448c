/** Who sends a message: the client to the server, or the server to the client. */
export type MessageDirection = 'clientToServer' | 'serverToClient';

/**
 * What a request's declaration states besides its types. The server's bindings, its
 * `$/progress`, the meta-model and the spec test read it from here; PROTOCOL.md's Direction
 * line says the same in words (a test checks).
 */
export interface RequestTraits {
	readonly direction: MessageDirection;
	/** Whether it sends `$/progress` work-done notifications to a `workDoneToken` it is given. */
	readonly reportsProgress: boolean;
	/** Whether `$/cancelRequest` for the request is honoured; its `$/progress` `begin` says the same. */
	readonly cancellable: boolean;
}

/** What a notification's declaration states besides its params. */
export interface NotificationTraits {
	readonly direction: MessageDirection;
}

/** A method the spec names and reserves for later: no types yet, and nothing registers it. */
export interface ReservedMethod {
	readonly method: string;
	readonly kind: 'request' | 'notification';
	readonly traits: RequestTraits | NotificationTraits;
}
