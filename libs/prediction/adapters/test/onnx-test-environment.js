// Jest's node environment gives each test file its own typed-array constructors, but the onnxruntime-node
// binding builds output tensors from the outer realm's, which onnxruntime-common then rejects
// ("A float32 tensor's data must be type of function Float32Array()"). Sharing the constructors, as jest
// already does for Uint8Array and ArrayBuffer, lets tests run the real model.
//   jest.config.js: testEnvironment: '<rootDir>/test/onnx-test-environment.js'
//   or per file:    /** @jest-environment ../../libs/prediction/adapters/test/onnx-test-environment.js */
const { TestEnvironment } = require('jest-environment-node');

const TYPED_ARRAYS = [
  'Int8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

class OnnxTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxTestEnvironment;
