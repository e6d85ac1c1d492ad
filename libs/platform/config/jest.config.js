module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'platform-config',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
