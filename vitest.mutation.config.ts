import { defineConfig } from 'vitest/config';

/**
 * The tests StrykerJS runs against each mutant (`npm run test:mutation`, stryker.config.json): the
 * fast, in-process tests of the rule modules it mutates. Tests that only drive a child process
 * (`maestro serve`, workers) see no mutant and are left out.
 */
export default defineConfig({
  test: {
    include: [
      'src/domain/event-filter.test.ts',
      'src/domain/session-state.test.ts',
      'test/auth.test.ts',
      'test/event-stream.test.ts',
      'test/lifecycle.test.ts',
      'test/scheduler.test.ts',
      'test/scheduler-rules.test.ts',
      'test/session-expiry.test.ts',
      'test/store-group-commit.test.ts',
      'test/store-postgres.test.ts',
      'test/store-sqlite.test.ts',
      'test/worktrees.test.ts',
    ],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    maxWorkers: 1,
  },
});
