import type { Readable, Writable } from 'node:stream';
import {
	AbstractMessageReader, AbstractMessageWriter, StreamMessageWriter,
	type DataCallback, type Disposable, type Message, type MessageWriter,
} from 'vscode-jsonrpc/node';
import { checkMessage, type RequestId } from './message-check.js';
import { HeaderFrameParser, LineFrameParser, type FrameParser } from './frame-parser.js';

export type Framing = 'headers' | 'lines';

/** Bad input the reader answered for itself, before any handler saw it. */
export interface RejectedInput {
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
					this.onRejected({ id: null, code: event.code, reason: event.reason, message: event.message });
					continue;
				}
				const checked = checkMessage(event.value);
				if (checked.ok) callback(checked.message);
				else this.onRejected({ id: checked.id, code: checked.code, reason: checked.reason, message: checked.message });
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
}

/** Writes one JSON message per line. */
export class LineMessageWriter extends AbstractMessageWriter implements MessageWriter {
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
