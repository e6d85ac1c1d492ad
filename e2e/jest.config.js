// Whole-stack tier: the five built services as processes on a real Kafka broker.
module.exports = {
  ...require('../jest.preset.js'),
  displayName: 'e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.e2e-spec.ts'],
  globalSetup: '../libs/platform/testing/src/global-setup.js',
  globalTeardown: '../libs/platform/testing/src/global-teardown.js',
  testTimeout: 240000,
  // kafkajs keeps sockets and retry timers alive after disconnect; never let them hang CI
  forceExit: true,
};
