export * from './artifact-store';
export * from './cdktf-gcp-synthesizer';
export * from './errors';
export * from './plan-only-driver';
