export * from './baseline';
export * from './errors';
export * from './optimiser';
export * from './plan-coverage';
export * from './shortfall';
export * from './solver';
export * from './planning-window';
export { spotInterruptionsPerHour } from './offers';
