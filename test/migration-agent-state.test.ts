import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationProvider } from '../src/store/migrations/index.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { Cleanup, tempDir } from './helpers.js';

const T = Date.parse('2026-11-01T10:00:00Z');

/** A session row as migration 0006 left the table: `needs_input` JSON text, no agent state. */
function oldSession(id: string, fields: { active: number; runtime: 'tmux' | 'none'; needsInput: object | null }) {
  return {
    id,
    project_id: 'proj_old',
    name: id,
    feature_request: '',
    status: fields.active ? 'implementing' : 'completed',
    active: fields.active,
    phase: null,
    branch: null,
    git_context: JSON.stringify({ branch: null, commit: null, repoRoot: null, isWorktree: false, worktreeName: null }),
    prd_reference: null,
    statistics: '{}',
    configuration: '{}',
    runtime_kind: fields.runtime,
    host: fields.runtime === 'tmux' ? 'h' : null,
    tmux_session: fields.runtime === 'tmux' ? `maestro-${id}` : null,
    pid: null,
    exit_code: null,
    output: '[]',
    created_at: T,
    updated_at: T + 1000,
    last_activity_at: T,
    message_count: 0,
    completed_at: fields.active ? null : T + 2000,
    end_reason: fields.active ? null : 'completed',
    needs_input: fields.needsInput ? JSON.stringify(fields.needsInput) : null,
    launch: null,
    version: 1,
  };
}

describe('migration 0007: agent state absorbs needs_input', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());

  it('turns an active wait into waiting (idle → idle_prompt), starts live runtimes, and drops the column', async () => {
    const path = join(tempDir(cleanup), 'old.db');
    // biome-ignore lint/suspicious/noExplicitAny: the schema as it was before 0007, which no type describes
    const old = new Kysely<any>({ dialect: new SqliteDialect({ database: new SqliteDatabase(path) }) });
    const { error } = await new Migrator({ db: old, provider: migrationProvider('sqlite') }).migrateTo('0006-launch');
    expect(error).toBeUndefined();
    await old
      .insertInto('projects')
      .values({ id: 'proj_old', name: 'old', repo_path: '/tmp', status: 'running', priority: 0, created_at: T, updated_at: T })
      .execute();
    const since = new Date(T + 500).toISOString();
    await old
      .insertInto('sessions')
      .values([
        oldSession('sess_asks', {
          active: 1,
          runtime: 'tmux',
          needsInput: { active: true, reason: 'idle', message: 'Done?', since },
        }),
        oldSession('sess_answered', {
          active: 1,
          runtime: 'tmux',
          needsInput: { active: false, reason: 'question', message: 'old', since },
        }),
        oldSession('sess_record', { active: 1, runtime: 'none', needsInput: null }),
        oldSession('sess_ended', {
          active: 0,
          runtime: 'tmux',
          needsInput: { active: true, reason: 'permission', message: 'x', since },
        }),
      ])
      .execute();
    await old.destroy();

    const store = await openSqliteStore(path);
    cleanup.add(() => store.close());
    const read = async (id: string) => {
      const s = await store.getSession(id);
      return { agentState: s?.agentState, agentStateSince: s?.agentStateSince, waitingFor: s?.waitingFor };
    };
    expect(await read('sess_asks')).toEqual({
      agentState: 'waiting',
      agentStateSince: since,
      waitingFor: { reason: 'idle_prompt', message: 'Done?' },
    });
    expect(await read('sess_answered')).toEqual({
      agentState: 'starting',
      agentStateSince: new Date(T + 1000).toISOString(),
      waitingFor: null,
    });
    expect(await read('sess_record')).toEqual({ agentState: null, agentStateSince: null, waitingFor: null });
    expect(await read('sess_ended')).toEqual({
      agentState: 'exited',
      agentStateSince: new Date(T + 2000).toISOString(),
      waitingFor: null,
    });
    const probe = new SqliteDatabase(path, { readonly: true });
    cleanup.add(() => probe.close());
    const columns = probe.prepare("SELECT name FROM pragma_table_info('sessions')").all() as { name: string }[];
    expect(columns.map((c) => c.name)).not.toContain('needs_input');
  });
});
