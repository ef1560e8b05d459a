import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { resumeCommand } from '../src/core/agents/index.js';
import { BIN, Cleanup, testMaestro, until } from './helpers.js';

describe('restart (issue #19.5) and what a session records of its launch', () => {
  let cleanup: Cleanup;
  afterEach(() => cleanup.run());

  it('records the command, directory and agent it was spawned with, and starts an ended one again as a new session', async () => {
    cleanup = new Cleanup();
    const m = await testMaestro(cleanup);
    await m.services.projects.create({ id: 'proj_rs', name: 'rs', repoPath: m.dir });
    const task = await m.services.tasks.create({ projectId: 'proj_rs', title: 'keep going' });
    // A fake Claude Code: a program named claude that writes the arguments it got.
    const bin = join(m.dir, 'bin');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(bin);
    writeFileSync(join(bin, 'claude'), '#!/bin/sh\nprintf "%s\\n" "$*" >> "$PWD/claude-args"\nexec sleep 300\n');
    chmodSync(join(bin, 'claude'), 0o755);
    const first = await m.services.sessions.spawn({
      projectId: 'proj_rs',
      name: 'login-agent',
      taskIds: [task.id],
      command: [join(bin, 'claude'), '-p', 'build the login page'],
    });
    expect(first.launch).toEqual({
      command: [join(bin, 'claude'), '-p', 'build the login page'],
      cwd: m.dir,
      agent: 'claude',
      restartOf: null,
    });
    await until(() => existsSync(join(m.dir, 'claude-args')));

    const live = await m.app.inject({ method: 'POST', url: `/api/sessions/${first.id}/restart` });
    expect(live.statusCode).toBe(409);
    await m.services.sessions.end(first.id, 'failed');

    const url = await m.listen();
    const restarted = await execa(process.execPath, [BIN, '--url', url, '-o', 'json', 'session', 'restart', first.id]);
    const second = JSON.parse(restarted.stdout);
    expect(second).toMatchObject({
      name: 'login-agent',
      projectId: 'proj_rs',
      taskIds: [task.id],
      status: 'initializing',
      launch: {
        cwd: m.dir,
        agent: 'claude',
        restartOf: first.id,
        command: [join(bin, 'claude'), '-p', 'build the login page', '--continue'],
      },
    });
    expect(second.id).not.toBe(first.id);
    await until(() => readFileSync(join(m.dir, 'claude-args'), 'utf8').includes('--continue'));
    const shown = await execa(process.execPath, [BIN, '--url', url, 'session', 'get', second.id]);
    expect(shown.stdout).toMatch(/command\s+.*claude -p 'build the login page' --continue/);
    expect(shown.stdout).toMatch(/restart of\s+sess_/);

    const record = await m.services.sessions.create({ projectId: 'proj_rs' });
    await m.services.sessions.end(record.id, 'completed');
    const notSpawned = await m.app.inject({ method: 'POST', url: `/api/sessions/${record.id}/restart` });
    expect(notSpawned.statusCode).toBe(400);
    expect(notSpawned.json().details.issues[0].message).toContain('not spawned by Maestro');
  });

  it('resumes only agents that can, and never twice', () => {
    expect(resumeCommand('claude', ['claude'])).toEqual(['claude', '--continue']);
    expect(resumeCommand('claude', ['claude', '--resume', 'abc'])).toEqual(['claude', '--resume', 'abc']);
    expect(resumeCommand('generic', ['make', 'test'])).toEqual(['make', 'test']);
    expect(resumeCommand('codex', ['codex'])).toEqual(['codex']);
  });
});
