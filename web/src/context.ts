import { createContext, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import { MaestroApiError, type Session } from '../../src/client/index.js';
import type { Live, LiveState } from './live.js';
import { applyToSession } from './session-events.js';

/** The page's live cache, given once at the root. */
export const LiveContext = createContext<Live | null>(null);

/** Where an action's failure is shown (the banner under the header). */
export const ErrorContext = createContext<(message: string) => void>(() => undefined);

export function useLive(): Live {
  const live = useContext(LiveContext);
  if (!live) throw new Error('useLive outside <LiveContext>');
  return live;
}

/** The live state; the component re-renders when it changes. */
export function useLiveState(): LiveState {
  const live = useLive();
  return useSyncExternalStore(live.subscribe, live.getSnapshot);
}

/** Runs `action`, showing its failure (the server's message) in the error banner. */
export function useAct(): (action: () => Promise<unknown>) => Promise<void> {
  const report = useContext(ErrorContext);
  return async (action) => {
    try {
      await action();
    } catch (err) {
      report(err instanceof MaestroApiError ? err.message : String(err));
    }
  };
}

/** The current time in milliseconds, renewed every `ms` milliseconds so ages stay current. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/** What a session page knows of its session: loading, the full session, gone, or why it could not be read. */
export type FullSession =
  | { state: 'loading' }
  | { state: 'ready'; session: Session }
  | { state: 'gone' }
  | { state: 'error'; message: string };

/**
 * The full session `id` (`GET /api/sessions/:id`, read once, again after a resync), kept current by
 * its events; events that arrive while it is read are applied to it after, by version.
 */
export function useFullSession(id: string): FullSession {
  const live = useLive();
  const { generation } = useLiveState();
  const [full, setFull] = useState<FullSession>({ state: 'loading' });
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new `generation` (a snapshot reload) reads the session again
  useEffect(() => {
    let session: Session | null | undefined;
    let stop = false;
    const early: Parameters<typeof applyToSession>[1][] = [];
    const show = (s: Session | null) => setFull(s ? { state: 'ready', session: s } : { state: 'gone' });
    // Its own stream, filtered by the server to this session (issue #24.4): from the sequence the
    // page's state is at, so nothing between that and the read below is missed.
    const stream = live.client.stream({
      sessionId: id,
      since: live.snapshot.seq,
      onEvent: (event) => {
        if (session === undefined) early.push(event);
        else if (session !== null) {
          session = applyToSession(session, event);
          show(session);
        }
      },
    });
    const unfollow = () => stream.close();
    live.client.sessions
      .get(id)
      .then((s) => {
        if (stop) return;
        session = early.reduce<Session | null>((acc, event) => (acc ? applyToSession(acc, event) : acc), s as Session);
        show(session);
      })
      .catch((err: unknown) => {
        if (stop) return;
        session = null;
        setFull(
          err instanceof MaestroApiError && err.status === 404
            ? { state: 'gone' }
            : { state: 'error', message: err instanceof Error ? err.message : String(err) },
        );
      });
    return () => {
      stop = true;
      unfollow();
    };
  }, [live, id, generation]);
  return full;
}
