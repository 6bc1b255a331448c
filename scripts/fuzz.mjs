// The hostile-input fuzzer at full size (docs/reliability.md): fuzzed messages against the
// packaged executable bin/kubebridge (build it first with `npm run build`).
//   node scripts/fuzz.mjs [--messages 100000] [--seed N] [--no-shrink]
// A failure prints fast-check's report: the seed and path replay it, and the counterexample
// is the smallest batch that still fails.
import { parseArgs } from 'node:util';
import { fuzzExecutable } from '../test/helpers/fuzz-driver.mjs';

const { values } = parseArgs({
	options: {
		messages: { type: 'string', default: '100000' },
		seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
		'no-shrink': { type: 'boolean', default: false },
	},
});
const messages = Number(values.messages);
const seed = Number(values.seed);
console.log(`fuzzing bin/kubebridge with ${messages} messages, seed ${seed}`);
let reported = 0;
try {
	const stats = await fuzzExecutable({
		messages, seed, shrink: !values['no-shrink'],
		onProgress: (s) => {
			if (s.messages - reported < 10_000) return;
			reported = s.messages;
			console.log(`  ${s.messages} messages, ${s.requests} requests answered once each, max RSS ${Math.round(s.maxRssKiB / 1024)} MiB`);
		},
	});
	console.log(JSON.stringify({ ...stats, maxRssMiB: Math.round(stats.maxRssKiB / 1024), seconds: Math.round(stats.ms / 1000) }));
} catch (error) {
	console.error(String(error.message ?? error).slice(0, 20_000));
	console.error(`\nreplay: node scripts/fuzz.mjs --messages ${messages} --seed ${seed}`);
	process.exit(1);
}
