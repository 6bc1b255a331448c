import type { MessageConnection, NotificationType } from 'vscode-jsonrpc/node';
import {
	ConfirmFreePortRequest, DidChangeStateNotification, LogTraceNotification, LogWriteNotification, type DidChangeStateParams,
} from '../../protocol/index.js';
import type { LogEntry, Logger } from '../log/logger.js';
import type { ConfirmFree } from '../outbound/bind-port.js';
import type { Lifecycle } from './lifecycle.js';

/**
 * What the server sends unasked: log lines as `$/logTrace` and `log/didWrite` (as the
 * client's trace and capabilities ask), session events, and the question whether to free a
 * port. Every text passes the secret scrubber first.
 */
export class Outgoing {
	constructor(
		private readonly connection: MessageConnection,
		private readonly logger: Logger,
		private readonly lifecycle: Lifecycle,
	) {}

	/**
	 * Sends a notification if the connection is still open. A closed connection throws at
	 * once rather than rejecting, and what happens after the client went (a session event
	 * while restoring on exit) has no one to tell.
	 */
	notify<P extends object>(type: NotificationType<P>, params: P): void {
		try {
			this.connection.sendNotification(type.method, params).catch(() => undefined);
		} catch (error) {
			this.logger.debug('rpc', `not sent: ${type.method}`, { error: (error as Error).message });
		}
	}

	readonly forwardLog = (entry: LogEntry): void => {
		const { state, trace, capabilities } = this.lifecycle;
		if (state === 'uninitialized') return;
		if (trace !== 'off') {
			const verbose = trace === 'verbose' && entry.fields ? { verbose: JSON.stringify(entry.fields) } : {};
			this.notify(LogTraceNotification.type, { message: `[${entry.level}] ${entry.area}: ${entry.message}`, ...verbose });
		}
		if (capabilities.supportsLogNotifications && (entry.level === 'error' || entry.level === 'warning')) {
			this.notify(LogWriteNotification.type, { level: entry.level, area: entry.area, message: entry.message, time: entry.time });
		}
	};

	readonly sessionEvent = (event: DidChangeStateParams): void => {
		this.notify(DidChangeStateNotification.type, { ...event, message: this.scrub(event.message) });
	};

	/** The user decides through the client; no answer (an error, a closed connection) means no. */
	readonly askToFreePort: ConfirmFree = ({ address, port, service, holders, message }) =>
		this.connection.sendRequest(ConfirmFreePortRequest.type, {
			address, port, service, holders: holders.map((h) => ({ pid: h.pid, command: h.command })), message: this.scrub(message),
		}).then((answer) => answer?.free === true, () => false);

	readonly scrub = (text: string): string => this.logger.secrets.scrub(text);
}
