// Integration tier: real Kafka broker (KAFKA_BROKERS, testcontainers, or the local broker).
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'cli:integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.int-spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
  globalSetup: '../../libs/platform/testing/src/global-setup.js',
  globalTeardown: '../../libs/platform/testing/src/global-teardown.js',
  testTimeout: 120000,
  // kafkajs keeps sockets and retry timers alive after disconnect; never let them hang CI
  forceExit: true,
};
