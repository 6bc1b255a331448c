/** The peer broke SPDY's rules (a bad frame, a bad header block): the session cannot go on. */
export class SpdyProtocolError extends Error {
	constructor(message: string) {
		super(`SPDY protocol error: ${message}`);
		this.name = 'SpdyProtocolError';
	}
}

/** The peer reset one stream (RST_STREAM); the others go on. */
export class StreamReset extends Error {
	constructor(readonly streamId: number, readonly status: number) {
		super(`the peer reset SPDY stream ${streamId} (status ${status})`);
		this.name = 'StreamReset';
	}
}

/** The peer said GOAWAY: streams after `lastGoodStreamId` were never taken, and no new ones will be. */
export class SessionGoneAway extends Error {
	constructor(readonly lastGoodStreamId: number, readonly status: number) {
		super(`the SPDY peer went away (status ${status}, last stream it took ${lastGoodStreamId})`);
		this.name = 'SessionGoneAway';
	}
}

/** The connection under the session ended while a stream was still open. */
export class SessionClosed extends Error {
	constructor(cause?: Error) {
		super(cause ? `the SPDY session's connection failed: ${cause.message}` : "the SPDY session's connection closed", cause ? { cause } : undefined);
		this.name = 'SessionClosed';
	}
}
