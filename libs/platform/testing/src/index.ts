export * from './broker';
export * from './builders';
export * from './service-harness';
