export * from './bundled';
export * from './errors';
export * from './query';
export * from './schema';
