import { request } from 'node:http';

/** What {@link rawRequest} got back. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTP request over a real socket with exactly the headers given (`Host` included, which
 * `fetch` would not let a test set), and the answer read whole.
 */
export function rawRequest(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: unknown },
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...options.headers },
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Every tmux session on `socket`, whoever owns it; `[]` when no server runs there. */
export async function tmuxSessionNames(socket: string): Promise<string[]> {
  const { execa } = await import('execa');
  const result = await execa('tmux', ['-L', socket, 'list-sessions', '-F', '#{session_name}'], {
    reject: false,
    env: { TMUX: undefined },
  });
  return result.exitCode === 0 ? result.stdout.split('\n').filter(Boolean) : [];
}
