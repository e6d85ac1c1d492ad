export * from './baseline';
export * from './errors';
export * from './shortfall';
