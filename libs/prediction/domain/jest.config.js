module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'prediction-domain',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
