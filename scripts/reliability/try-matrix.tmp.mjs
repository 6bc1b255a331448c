import { randomBytes } from 'node:crypto';
import { Cleanup } from '../../bench/tunnel/cleanup.mjs';
import { runCell } from './matrix.mjs';
import { setUpStage } from './stage.mjs';
const began = Date.now();
const log = (t) => process.stderr.write(`[${((Date.now() - began) / 1000).toFixed(1)} s] ${t}\n`);
const cleanup = new Cleanup();
process.once('SIGINT', () => void cleanup.run(log).finally(() => process.exit(130)));
try {
  const stage = await setUpStage({ namespace: `kb-rel-matrix-${randomBytes(3).toString('hex')}`, log, cleanup });
  for (const c of JSON.parse(process.argv[2])) console.log(JSON.stringify(await runCell(stage, c, log)));
} catch (e) { log(e.stack); } finally { await cleanup.run(log); }
