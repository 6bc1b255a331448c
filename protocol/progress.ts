import { Type, type Static } from '@sinclair/typebox';
import { NotificationType, ProgressType } from 'vscode-jsonrpc';
import { Closed, Described } from './schema.js';
import type { NotificationTraits } from './traits.js';

export const ProgressToken = Type.Union([Type.String(), Type.Integer()], {
	description: 'A token the client picks to match `$/progress` notifications to a request.',
});
export type ProgressToken = Static<typeof ProgressToken>;

/** The params of every request that reports work-done progress; theirs are spread into it. */
export const WorkDoneProgressParams = Closed({
	workDoneToken: Type.Optional(Described(ProgressToken, 'When set, the server sends `$/progress` with this token while the request runs.')),
});
export type WorkDoneProgressParams = Static<typeof WorkDoneProgressParams>;

export interface WorkDoneProgressBegin {
	kind: 'begin';
	/** A short title of the whole operation, e.g. "Listing services". */
	title: string;
	/** Whether `$/cancelRequest` for the request is honoured. */
	cancellable: boolean;
	message?: string;
	/** 0-100 when the server can tell how far it is. */
	percentage?: number;
}

export interface WorkDoneProgressReport {
	kind: 'report';
	message?: string;
	percentage?: number;
}

export interface WorkDoneProgressEnd {
	kind: 'end';
	message?: string;
}

export type WorkDoneProgressValue = WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;

export namespace WorkDoneProgress {
	export const type = new ProgressType<WorkDoneProgressValue>();
}

export interface ProgressParams {
	token: ProgressToken;
	value: WorkDoneProgressValue;
}

/** The notification that carries a request's progress; described here for clients generated from the meta-model. */
export namespace ProgressNotification {
	export const method = '$/progress' as const;
	export const type = new NotificationType<ProgressParams>(method);
	export const traits: NotificationTraits = { direction: 'serverToClient' };
}
