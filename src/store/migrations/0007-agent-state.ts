import type { Kysely } from 'kysely';

/** The reasons a `needs_input` record may hold, mapped to `waiting_for.reason`. */
const REASONS: Record<string, string> = { permission: 'permission', question: 'question', idle: 'idle_prompt' };

/**
 * The agent's state beside the workflow status (docs/design.md §Agent state): `agent_state`,
 * `agent_state_since` (milliseconds since the epoch) and `waiting_for` (`{reason, message,
 * choices?}` as JSON text). They absorb `needs_input`: an active one becomes `waiting` with its
 * reason and message, and the column goes. Live sessions with a runtime start as `starting` (the
 * watcher reads their screen at once); ended ones as `exited`.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function up(db: Kysely<any>): Promise<void> {
  // One column per ALTER: SQLite adds no more.
  await db.schema.alterTable('sessions').addColumn('agent_state', 'text').execute();
  await db.schema.alterTable('sessions').addColumn('agent_state_since', 'bigint').execute();
  await db.schema.alterTable('sessions').addColumn('waiting_for', 'text').execute();
  await db
    .updateTable('sessions')
    .set({ agent_state: 'starting' })
    .where('runtime_kind', '=', 'tmux')
    .where('active', '=', 1)
    .execute();
  await db
    .updateTable('sessions')
    .set({ agent_state: 'exited' })
    .where('runtime_kind', '=', 'tmux')
    .where('active', '=', 0)
    .execute();
  await db
    .updateTable('sessions')
    .set((eb) => ({ agent_state_since: eb.ref('updated_at') }))
    .where('agent_state', 'is not', null)
    .execute();
  const asked = await db
    .selectFrom('sessions')
    .select(['id', 'needs_input', 'active'])
    .where('needs_input', 'is not', null)
    .execute();
  for (const row of asked as { id: string; needs_input: string; active: number }[]) {
    const old = JSON.parse(row.needs_input) as {
      active?: boolean;
      reason?: string;
      message?: string | null;
      since?: string | null;
    };
    if (!old.active || row.active !== 1) continue;
    await db
      .updateTable('sessions')
      .set({
        agent_state: 'waiting',
        agent_state_since: old.since ? Date.parse(old.since) : null,
        waiting_for: JSON.stringify({ reason: REASONS[old.reason ?? ''] ?? 'unknown', message: old.message ?? '' }),
      })
      .where('id', '=', row.id)
      .execute();
  }
  await db.schema.alterTable('sessions').dropColumn('needs_input').execute();
}
