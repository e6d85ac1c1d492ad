export * from './artifact-store';
export * from './cdktf-synthesizer';
export * from './errors';
export * from './plan-only-driver';
