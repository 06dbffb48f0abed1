import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const childProcess = { name: 'child_process', message: 'use node:child_process spawn/execFile with argv arrays' };

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [childProcess] }],
    },
  },
  // The agent and the bot's device client share only src/protocol/ (docs/agent.md); neither reaches into the other.
  {
    files: ['src/services/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [childProcess], patterns: [{ group: ['**/agent/*'], message: 'import the wire protocol from src/protocol/, not from the agent' }] }] },
  },
  {
    files: ['src/agent/**/*.ts', 'src/protocol/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [childProcess], patterns: [{ group: ['**/services/*', '**/core/*', '**/adapters/*', '**/jobs/*'], message: 'the agent and the protocol module do not depend on the bot' }] }] },
  },
  // The layer rules (.dependency-cruiser.cjs, docs/architecture.md "Layers") are CommonJS, as dependency-cruiser reads them.
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  // One Redis connection factory (src/redis/connect.ts, docs/architecture.md): every client gets the
  // same timeouts, reconnects, name and Sentinel support. Tests may still open a raw observer client.
  {
    files: ['src/**/*.ts', 'commands/**/*.ts', 'bench/**/*.ts'],
    ignores: ['src/redis/connect.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name=/^(Redis|IORedis|Cluster)$/], NewExpression[callee.property.name=/^(Redis|Cluster)$/]", message: 'make Redis clients with connectRedis() from src/redis/connect.ts' },
        { selector: "Property[key.name='connection'][value.type='ObjectExpression']", message: "give BullMQ bullConnection() from src/redis/connect.ts, not its own options" },
        { selector: "CallExpression[callee.property.name='duplicate']", message: 'make another Redis client with connectRedis() (a duplicate keeps the first one\'s name and profile)' },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly' } },
  },
);
