module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'pricing-adapters',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
