import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

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
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // type axis
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:adapters', 'type:platform', 'type:contract', 'type:testing'] },
            { sourceTag: 'type:adapters', onlyDependOnLibsWithTags: ['type:domain', 'type:contract', 'type:platform'] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:contract'], bannedExternalImports: domainBanned },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform', 'type:contract'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:platform', 'type:contract'] },
            { sourceTag: 'type:contract', onlyDependOnLibsWithTags: [], allowedExternalImports: ['zod'] },
            // scope axis: a service sees its own scope and shared code; the CLI drives every domain offline
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:prediction', onlyDependOnLibsWithTags: ['scope:prediction', 'scope:shared'] },
            { sourceTag: 'scope:cost-optimization', onlyDependOnLibsWithTags: ['scope:cost-optimization', 'scope:shared'] },
            { sourceTag: 'scope:provisioning', onlyDependOnLibsWithTags: ['scope:provisioning', 'scope:shared'] },
            { sourceTag: 'scope:cloning', onlyDependOnLibsWithTags: ['scope:cloning', 'scope:shared'] },
            { sourceTag: 'scope:scaling', onlyDependOnLibsWithTags: ['scope:scaling', 'scope:shared'] },
            { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:prediction', 'scope:cost-optimization', 'scope:shared'] },
          ],
        },
      ],
    },
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
