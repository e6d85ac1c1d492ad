export * from './broker';
export * from './builders';
