module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'prediction-adapters',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  // onnxruntime-node needs the outer realm's typed arrays (see the file)
  testEnvironment: '<rootDir>/test/onnx-test-environment.js',
};
