import { Diff2HtmlUI } from 'diff2html/lib-esm/ui/js/diff2html-ui-slim.js';
import 'diff2html/bundles/css/diff2html.min.css';
import 'highlight.js/styles/github.css';
import { ColorSchemeType } from 'diff2html/lib-esm/types.js';
import { useEffect, useRef, useState } from 'react';
import { MaestroApiError, type Session, type SessionDiff } from '../../src/client/index.js';
import type { Live } from './live.js';

/** How often the diff is read again while the agent works, in milliseconds. */
const REFRESH_MS = 5000;

/** One file of a session's diff as the unified text diff2html reads: git's header, then its hunks. */
function unified(f: SessionDiff['files'][number]): string {
  const from = f.status === 'added' ? '/dev/null' : `a/${f.oldPath ?? f.path}`;
  const to = f.status === 'deleted' ? '/dev/null' : `b/${f.path}`;
  // The extended header lines tell diff2html how the file changed (git's own words).
  const mode =
    f.status === 'added'
      ? 'new file mode 100644\n'
      : f.status === 'deleted'
        ? 'deleted file mode 100644\n'
        : f.status === 'renamed'
          ? `rename from ${f.oldPath}\nrename to ${f.path}\n`
          : '';
  const header = `diff --git a/${f.oldPath ?? f.path} b/${f.path}\n${mode}`;
  if (f.hunks === null) return `${header}Binary files ${from} and ${to} differ\n`;
  return `${header}--- ${from}\n+++ ${to}\n${f.hunks}\n`;
}

/**
 * What a session changed (`GET /api/sessions/:id/diff`), drawn by diff2html: the file list with
 * its counts, unified or side by side, code highlighted; read again every few seconds while the
 * agent works (docs/design.md §Review).
 */
export function DiffView({ live, session }: { live: Live; session: Session }) {
  const box = useRef<HTMLDivElement>(null);
  const [diff, setDiff] = useState<SessionDiff | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [split, setSplit] = useState(false);
  const running = session.completedAt === null;

  useEffect(() => {
    let stop = false;
    const read = () =>
      live.client.sessions
        .diff(session.id)
        .then((d) => {
          if (!stop) {
            setDiff(d);
            setError(null);
          }
        })
        .catch((err: unknown) => {
          if (!stop) setError(err instanceof MaestroApiError ? err.message : String(err));
        });
    void read();
    const timer = running ? setInterval(read, REFRESH_MS) : undefined;
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [live, session.id, running]);

  useEffect(() => {
    if (!box.current || !diff) return;
    const ui = new Diff2HtmlUI(box.current, diff.files.map(unified).join(''), {
      outputFormat: split ? 'side-by-side' : 'line-by-line',
      drawFileList: true,
      fileListToggle: false,
      matching: 'lines',
      highlight: true,
      // Dark with the page (prefers-color-scheme).
      colorScheme: ColorSchemeType.AUTO,
    });
    ui.draw();
    ui.highlightCode();
  }, [diff, split]);

  if (error) return <p className="muted">No diff: {error}</p>;
  if (!diff) return <p className="muted">reading the diff…</p>;
  return (
    <div className="diff-view" data-diff>
      <div className="row">
        <span className="muted">
          {diff.totals.files} files, +{diff.totals.insertions} −{diff.totals.deletions} since {diff.base.slice(0, 10)}
          {diff.truncated ? ' (some hunks left out: too large)' : ''}
        </span>
        <button type="button" aria-pressed={split} onClick={() => setSplit(!split)}>
          {split ? 'Unified' : 'Side by side'}
        </button>
      </div>
      <div ref={box} />
    </div>
  );
}
