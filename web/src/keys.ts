import { useEffect, useRef } from 'react';

/** The keys of the dashboard, for the `?` list (docs: README §Dashboard). */
export const KEYS: readonly (readonly [key: string, what: string])[] = [
  ['j / k', 'next / previous session in the list'],
  ['Enter', 'open the chosen session'],
  ['/', 'search the sessions'],
  ['w', 'go to the next agent waiting for you'],
  ['a', 'answer the agent (on its page, or the chosen one)'],
  ['t', 'focus the terminal'],
  ['?', 'this list'],
  ['Esc', 'close a dialog; leave a field'],
];

/** Whether a key press is typing into something (a field, a select, the terminal's own textarea, a dialog). */
export function typing(e: KeyboardEvent): boolean {
  const target = e.target as HTMLElement | null;
  if (!target) return false;
  return (
    target.isContentEditable ||
    ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) ||
    target.closest('[role="dialog"]') !== null
  );
}

/**
 * Calls `keys[e.key]` on a key press anywhere in the page, except while typing (see {@link typing})
 * or with a modifier held (the browser's and the system's shortcuts stay theirs).
 */
export function useKeys(keys: Record<string, (e: KeyboardEvent) => void>): void {
  const current = useRef(keys);
  current.current = keys;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || typing(e)) return;
      const handler = current.current[e.key];
      if (handler) {
        e.preventDefault();
        handler(e);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
