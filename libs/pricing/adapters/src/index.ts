export * from './aws/aws-refresher';
export * from './aws/price-list';
export * from './azure/rate-card';
export * from './azure/retail-prices';
export * from './errors';
export * from './gcp/cloud-catalog';
export * from './refresh';
export * from './refresher';
