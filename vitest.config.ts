// Test runner settings: node environment, generous timeouts for real servers, S3 servers started once per run.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 ships index.mjs ("module") beside index.js ("main"). Vite picks the .mjs for our
    // imports while CJS dependencies (Pothos, Yoga) get the .js: two graphql instances, and
    // "Cannot use GraphQLObjectType from another module or realm". Pin everyone to the .js.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time: most of a file's time is spent waiting on servers and child processes (moto, Redis,
    // Chromium, gateways under kill tests), so two overlap well even on 2 cores; vitest's default there is one.
    maxWorkers: 2,
    // The SDK's "Node 22 soon" notice would otherwise print once per test file.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
