export * from './schema.js';
export * from './errors.js';
export * from './progress.js';
export * from './lifecycle.js';
export * from './cluster.js';
export * from './outbound.js';
export * from './session.js';
export * from './environment.js';
