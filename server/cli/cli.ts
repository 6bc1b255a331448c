import { hideBin } from 'yargs/helpers';
import { main } from './main.js';

main(hideBin(process.argv)).catch((error: unknown) => {
	process.stderr.write(`kubebridge: ${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
