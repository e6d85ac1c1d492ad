module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'prediction-service',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
