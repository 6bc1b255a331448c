import { randomBytes } from 'node:crypto';
import { Cleanup } from '../../bench/tunnel/cleanup.mjs';
import { runFaults } from './faults.mjs';
import { setUpStage } from './stage.mjs';
const began = Date.now();
const log = (t) => process.stderr.write(`[${((Date.now() - began) / 1000).toFixed(1)} s] ${t}\n`);
const cleanup = new Cleanup();
process.once('SIGINT', () => void cleanup.run(log).finally(() => process.exit(130)));
try {
  const stage = await setUpStage({ namespace: `kb-rel-faults-${randomBytes(3).toString('hex')}`, proxy: true, log, cleanup });
  console.log(JSON.stringify(await runFaults(stage, { cleanup, log, only: process.argv[2]?.split(',') }), null, 1));
} catch (e) { log(e.stack); } finally { await cleanup.run(log); }
