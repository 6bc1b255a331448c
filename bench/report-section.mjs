// One benchmark's part of docs/performance.md: the newest run between its markers, and
// the runs before it kept below, newest first, so one command regenerates the page and
// nothing measured earlier is lost.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const FILE = new URL('../docs/performance.md', import.meta.url).pathname;
const begin = (name) => `<!-- bench:${name}:begin (written by npm run bench:${name}) -->`;
const end = (name) => `<!-- bench:${name}:end -->`;
const earlier = (name) => `<!-- bench:${name}:earlier -->`;

/** Writes `table` as the newest run of benchmark `name`; the run it replaces goes first among the earlier ones. */
export function writeSection(name, table, { file = FILE } = {}) {
	const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Performance\n';
	const start = text.indexOf(begin(name));
	const stop = text.indexOf(end(name));
	if (start < 0 || stop < start) {
		writeFileSync(file, `${text.trimEnd()}\n\n${begin(name)}\n${table}\n\n${earlier(name)}\n${end(name)}\n`);
		return file;
	}
	const inside = text.slice(start + begin(name).length, stop);
	const split = inside.indexOf(earlier(name));
	const previous = (split >= 0 ? inside.slice(0, split) : inside).trim();
	const older = split >= 0 ? inside.slice(split + earlier(name).length).trim() : '';
	const history = [previous && `<details><summary>Earlier run</summary>\n\n${previous}\n\n</details>`, older].filter(Boolean).join('\n\n');
	const block = `${begin(name)}\n${table}\n\n${earlier(name)}\n${history}${history ? '\n' : ''}${end(name)}`;
	writeFileSync(file, `${text.slice(0, start)}${block}${text.slice(stop + end(name).length)}`);
	return file;
}
