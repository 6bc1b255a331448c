import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AGENT_HEADERS, AGENT_PATHS, FILE_LIMITS, type FileListing } from '../../agent/src/contract/contract.js';
import { AgentRefused, readBody, requestOver, type AgentAddress } from '../tunnel/agent-exchange.js';
import type { ApiEndpoint } from '../cluster/port-forward.js';
import { KeptForwards } from '../tunnel/kept-forward.js';
import type { FileContent, FileSnapshot, FileSource } from './file-source.js';

const REQUEST_TIMEOUT_MS = 30_000;
/** A listing at the agent's entry limit stays well below this. */
const LISTING_BYTES = 8 * 1024 * 1024;

/**
 * The mounted files of a target, read from one of its serving agent pods through a
 * port-forward kept open between refreshes, so a refresh costs no API call of its own.
 */
export class AgentFileSource implements FileSource {
	private readonly forwards: KeptForwards;

	constructor(endpoint: ApiEndpoint, private readonly agent: () => AgentAddress | null, private readonly stopped: AbortSignal) {
		this.forwards = new KeptForwards(endpoint);
		stopped.addEventListener('abort', () => this.forwards.close(), { once: true });
	}

	private signal(): AbortSignal {
		return AbortSignal.any([this.stopped, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]);
	}

	async list(mountPaths: string[]): Promise<FileSnapshot> {
		const agent = this.agent();
		if (!agent) throw new Error('no agent pod of the target is serving');
		const query = mountPaths.map((path) => `mount=${encodeURIComponent(path)}`).join('&');
		let response: IncomingMessage;
		try {
			response = await requestOver(this.forwards.to(agent), agent, `${AGENT_PATHS.files}?${query}`, this.signal());
		} catch (error) {
			if (error instanceof AgentRefused && error.status === 404) throw new Error(`the agent image of pod ${agent.pod} does not serve mounted files; use the agent image of this kubebridge version`);
			throw error;
		}
		const listing = JSON.parse((await readBody(response, LISTING_BYTES)).toString('utf8')) as FileListing;
		return { pod: agent.pod, mounts: listing.mounts, read: (path) => this.read(agent, path) };
	}

	private async read(agent: AgentAddress, path: string): Promise<FileContent> {
		const response = await requestOver(this.forwards.to(agent), agent, `${AGENT_PATHS.fileContent}?path=${encodeURIComponent(path)}`, this.signal());
		const sha256 = String(response.headers[AGENT_HEADERS.sha256] ?? '');
		const bytes = await readBody(response, FILE_LIMITS.fileBytes);
		if (createHash('sha256').update(bytes).digest('hex') !== sha256) throw new Error(`${path} arrived damaged (its digest does not match)`);
		return { bytes, sha256 };
	}
}
