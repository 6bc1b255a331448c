import { randomBytes } from 'node:crypto';
import { Cleanup } from '../../bench/tunnel/cleanup.mjs';
import { runLoad } from './load.mjs';
import { setUpStage } from './stage.mjs';
const began = Date.now();
const log = (t) => process.stderr.write(`[${((Date.now() - began) / 1000).toFixed(1)} s] ${t}\n`);
const cleanup = new Cleanup();
process.once('SIGINT', () => void cleanup.run(log).finally(() => process.exit(130)));
try {
  const stage = await setUpStage({ namespace: `kb-rel-load-${randomBytes(3).toString('hex')}`, log, cleanup });
  console.log(JSON.stringify(await runLoad(stage, { cleanup, log, ...JSON.parse(process.argv[2] ?? '{}') }), null, 1));
} catch (e) { log(e.stack); } finally { await cleanup.run(log); }
