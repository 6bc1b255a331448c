import type { Readable, Writable } from 'node:stream';
import {
	AbstractMessageReader, AbstractMessageWriter, StreamMessageWriter,
	type DataCallback, type Disposable, type Message, type MessageWriter,
} from 'vscode-jsonrpc/node';
import { ErrorCodes } from '../../protocol/index.js';
import { checkMessage, type RequestId } from './message-check.js';
import { HeaderFrameParser, LineFrameParser, type FrameParser } from './frame-parser.js';

export type Framing = 'headers' | 'lines';

/** Bad input the reader dealt with itself, before any handler saw it. */
export interface RejectedInput {
	/** False for a notification: JSON-RPC never answers one, so it is only logged. */
	respond: boolean;
	id: RequestId;
	code: number;
	reason: string;
	message: string;
}

const DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

/**
 * Reads framed messages and hands on only well-formed JSON-RPC; everything else goes to
 * `onRejected`, so the connection can answer it and carry on serving.
 */
export class CheckedMessageReader extends AbstractMessageReader {
	private readonly parser: FrameParser;

	constructor(
		private readonly readable: Readable,
		framing: Framing,
		private readonly onRejected: (rejected: RejectedInput) => void,
		maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES,
	) {
		super();
		this.parser = framing === 'lines' ? new LineFrameParser(maxMessageBytes) : new HeaderFrameParser(maxMessageBytes);
	}

	listen(callback: DataCallback): Disposable {
		const onData = (chunk: Buffer): void => {
			for (const event of this.parser.push(chunk)) {
				if (event.kind === 'problem') {
					this.onRejected({ respond: true, id: null, code: event.code, reason: event.reason, message: event.message });
					continue;
				}
				const checked = checkMessage(event.value);
				if (!checked.ok) {
					this.onRejected({ respond: checked.respond, id: checked.id, code: checked.code, reason: checked.reason, message: checked.message });
					continue;
				}
				this.handOn(callback, checked.message);
			}
		};
		const onError = (error: Error): void => this.fireError(error);
		// Streams may emit both 'end' and 'close'; the connection must hear of it once.
		let closed = false;
		const onClose = (): void => {
			if (closed) return;
			closed = true;
			this.fireClose();
		};
		this.readable.on('data', onData);
		this.readable.on('error', onError);
		this.readable.on('end', onClose);
		this.readable.on('close', onClose);
		return {
			dispose: () => {
				this.readable.off('data', onData);
				this.readable.off('error', onError);
				this.readable.off('end', onClose);
				this.readable.off('close', onClose);
			},
		};
	}

	/**
	 * One chunk holds many messages; a throw from the library while taking one must not
	 * unwind this loop and lose those after it. A request it could not take is answered
	 * here, so it still gets its one response.
	 */
	private handOn(callback: DataCallback, message: Message): void {
		try {
			callback(message);
		} catch (error) {
			const request = message as { id?: unknown; method?: unknown };
			const isRequest = typeof request.method === 'string' && request.id !== undefined;
			this.onRejected({
				respond: isRequest, id: isRequest ? request.id as RequestId : null, code: ErrorCodes.InternalError, reason: 'internalError',
				message: `Internal error while reading a message: ${(error as Error)?.message ?? String(error)}`,
			});
		}
	}
}

/** Writes one JSON message per line. */
class LineMessageWriter extends AbstractMessageWriter implements MessageWriter {
	private queue: Promise<void> = Promise.resolve();

	constructor(private readonly writable: Writable) {
		super();
		writable.on('error', (error: Error) => this.fireError(error));
		writable.on('close', () => this.fireClose());
	}

	write(message: Message): Promise<void> {
		this.queue = this.queue.then(() => new Promise<void>((resolve, reject) => {
			this.writable.write(JSON.stringify(message) + '\n', 'utf8', (error) => (error ? reject(error) : resolve()));
		}));
		return this.queue;
	}

	end(): void {}
}

export function createWriter(writable: Writable, framing: Framing): MessageWriter {
	return framing === 'lines' ? new LineMessageWriter(writable) : new StreamMessageWriter(writable, 'utf-8');
}
