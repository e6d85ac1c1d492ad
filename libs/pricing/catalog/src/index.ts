export * from './bundled';
export * from './errors';
export * from './merge';
export * from './query';
export * from './schema';
export * from './store';
