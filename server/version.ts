import pkg from '../package.json' with { type: 'json' };

export const KUBEBRIDGE_VERSION: string = pkg.version;
