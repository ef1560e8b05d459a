import { defineConfig } from 'vitest/config';

/**
 * The tests StrykerJS runs against each mutant (`npm run test:mutation`, stryker.config.json): the
 * in-process tests that exercise the rule modules it mutates: their own tests, and those that
 * reach them through the API — the security suites (host and token checks, session scopes), the
 * tracker (what an end does to tasks), streams and nodes. Tests that only drive a child process
 * (`maestro serve`, workers) see no mutant and are left out; so are the dashboard's (Stryker's
 * sandbox holds no built web/dist).
 */
export default defineConfig({
  test: {
    include: [
      'src/domain/event-filter.test.ts',
      'src/domain/session-state.test.ts',
      'test/auth.test.ts',
      'test/event-contract.test.ts',
      'test/event-disconnects.test.ts',
      'test/event-stream.test.ts',
      'test/filtered-events.test.ts',
      'test/http-api.test.ts',
      'test/lifecycle.test.ts',
      'test/nodes.test.ts',
      'test/pause.test.ts',
      'test/scheduler.test.ts',
      'test/scheduler-rules.test.ts',
      'test/security/fencing-race.test.ts',
      'test/security/rebinding.test.ts',
      'test/security/session-scopes.test.ts',
      'test/security/timeouts.test.ts',
      'test/session-expiry.test.ts',
      'test/session-lifecycle.test.ts',
      'test/store-group-commit.test.ts',
      'test/store-postgres.test.ts',
      'test/store-sqlite.test.ts',
      'test/timeout-warning.test.ts',
      'test/tracker.test.ts',
      'test/worktrees.test.ts',
    ],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    maxWorkers: 1,
  },
});
