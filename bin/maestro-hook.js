#!/usr/bin/env node
// maestro-hook <agent> [payload]: an agent's hook, reported to Maestro (POST /api/hooks/<agent>).
// Small on purpose (no dependency, not the CLI): agents run it on every step, and it must start
// in a few tens of milliseconds. It reads MAESTRO_URL, MAESTRO_SESSION_ID and MAESTRO_TOKEN
// (set by `maestro session spawn`); the payload is the last argument (Codex's notify), else stdin
// (Claude Code, Gemini CLI), else none (aider). It never fails the agent: it always exits 0.
import { readFileSync } from 'node:fs';

const [agent, argument] = process.argv.slice(2);
const url = process.env.MAESTRO_URL;
const session = process.env.MAESTRO_SESSION_ID;

function stdin() {
  if (process.stdin.isTTY) return '';
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

if (!agent || !url || !session) {
  process.stderr.write(
    'maestro-hook: MAESTRO_URL or MAESTRO_SESSION_ID is not set (not running under Maestro); nothing reported\n',
  );
} else {
  const body = argument ?? (agent === 'aider' ? '' : stdin());
  const headers = { 'content-type': 'application/json', 'x-maestro-session': session };
  if (process.env.MAESTRO_TOKEN) headers.authorization = `Bearer ${process.env.MAESTRO_TOKEN}`;
  // node:http, not fetch: fetch loads undici on first use, which costs a hundred milliseconds.
  const target = new URL(`${url.replace(/\/$/, '')}/api/hooks/${encodeURIComponent(agent)}`);
  const data = Buffer.from(body.trim() === '' ? '{}' : body);
  const { request } = await import(target.protocol === 'https:' ? 'node:https' : 'node:http');
  await new Promise((done) => {
    const req = request(
      target,
      { method: 'POST', headers: { ...headers, 'content-length': data.length }, timeout: 2000 },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          if (res.statusCode >= 300)
            process.stderr.write(`maestro-hook: Maestro answered ${res.statusCode}: ${Buffer.concat(chunks).toString()}\n`);
          done();
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out after 2 s')));
    req.on('error', (err) => {
      process.stderr.write(`maestro-hook: could not reach Maestro at ${url}: ${err.message}\n`);
      done();
    });
    req.end(data);
  });
}
