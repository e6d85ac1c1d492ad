module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'platform-nest',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
