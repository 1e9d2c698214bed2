// One vitest run for the whole repo: the API and SDK against real PostgreSQL, the UI's components in jsdom.
import solid from 'vite-plugin-solid';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'api',
          include: ['api/src/**/*.test.ts', 'api/test/**/*.test.ts', 'shared/src/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['api/test/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
      {
        // The UI's components and stores, rendered by Solid in jsdom.
        plugins: [solid()],
        test: {
          name: 'ui',
          include: ['ui/src/**/*.test.{ts,tsx}'],
          setupFiles: ['ui/src/test-setup.ts'],
          environment: 'jsdom',
          // The router ships .jsx: compiled by the Solid plugin (components using <A> render in tests).
          server: { deps: { inline: ['@solidjs/router'] } },
        },
      },
      {
        // Journeys in real Chromium against the API in-process (needs ui/dist: scripts/test.sh builds it first).
        test: {
          name: 'e2e',
          include: ['ui/e2e/**/*.e2e.test.ts'],
          environment: 'node',
          globalSetup: ['api/test/global-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 120_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
    ],
  },
});
