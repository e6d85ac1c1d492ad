module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'pricing-catalog',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
