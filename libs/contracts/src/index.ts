export * from './core';
export * from './envelope';
export * from './events';
export * from './topics';
export * from './domain-error';
