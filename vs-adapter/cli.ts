import { hideBin } from 'yargs/helpers';
import { formatError } from './output/msbuild-line.js';
import { main } from './main.js';

main(hideBin(process.argv)).then((code) => process.exit(code), (error: unknown) => {
	process.stdout.write(`${formatError(error)}\n`);
	process.exit(1);
});
