module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'prediction-adapters',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
