module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'provisioning-domain',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
