export * from './errors';
export * from './infrastructure-plan';
export * from './schedule';
