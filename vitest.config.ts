import { defineConfig } from 'vitest/config';

// Two tiers: `unit` needs nothing; `int` talks to real servers (MongoDB stand-in, RabbitMQ,
// Temporal) that the global setup finds or starts, and fails loudly when it cannot.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{libs,services}/*/src/**/*.test.ts', 'scripts/deploy/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'int',
          include: [
            '{libs,services}/*/{src,test}/**/*.int.test.ts',
            'e2e/src/**/*.int.test.ts',
            'scripts/deploy/*.int.test.ts',
          ],
          exclude: ['**/node_modules/**'],
          globalSetup: ['libs/testkit/src/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
