import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const TYPE_RULES = {
  'type:app': ['type:domain', 'type:adapters', 'type:platform', 'type:contract'],
  'type:adapters': ['type:domain', 'type:contract', 'type:platform'],
  'type:domain': ['type:domain', 'type:contract'],
  'type:platform': ['type:platform', 'type:contract'],
  'type:testing': ['type:platform', 'type:contract'],
  'type:contract': [],
  'type:e2e': ['type:platform', 'type:contract', 'type:testing'],
};

// A service sees its own scope and shared code; the CLI drives the prediction and cost domains offline.
const SCOPE_RULES = {
  'scope:shared': ['scope:shared'],
  'scope:prediction': ['scope:prediction', 'scope:shared'],
  'scope:cost-optimization': ['scope:cost-optimization', 'scope:shared'],
  'scope:provisioning': ['scope:provisioning', 'scope:shared'],
  'scope:cloning': ['scope:cloning', 'scope:shared'],
  'scope:scaling': ['scope:scaling', 'scope:shared'],
  'scope:cli': ['scope:prediction', 'scope:cost-optimization', 'scope:shared'],
  'scope:e2e': ['scope:shared'],
};

/** Module boundaries on the type and scope axes; test files may also use the testing library. */
function boundaries(inTests) {
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      ...Object.entries(TYPE_RULES).map(([sourceTag, allowed]) => ({
        sourceTag,
        onlyDependOnLibsWithTags: inTests ? [...allowed, 'type:testing'] : allowed,
        ...(sourceTag === 'type:domain' ? { bannedExternalImports: domainBanned } : {}),
        ...(sourceTag === 'type:contract' && !inTests ? { allowedExternalImports: ['zod'] } : {}),
      })),
      ...Object.entries(SCOPE_RULES).map(([sourceTag, allowed]) => ({ sourceTag, onlyDependOnLibsWithTags: allowed })),
    ],
  };
}

const domainBanned = ['@nestjs/*', 'kafkajs', 'onnxruntime-node', '@opentelemetry/*', 'cdktf', '@cdktf/*', 'constructs', 'express', 'prom-client'];

export default tseslint.config(
  { ignores: ['**/dist', '**/node_modules', '.tools', '.kafka-local', 'models/**/.venv', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': ['error', boundaries(false)],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/test/**/*.ts', 'e2e/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries(true)] },
  },
  {
    // Test helpers never reach production code.
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts', '**/test/**', 'e2e/**', 'bench/**', 'libs/platform/testing/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@clonecast/platform/testing'], message: 'test helpers are for tests only' }] }],
    },
  },
);
