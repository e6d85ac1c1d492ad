module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'scaling-service',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
