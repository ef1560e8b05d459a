import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { TouchLog } from './touch-log.js';

describe('TouchLog', () => {
  it('writes one line per interval with the touches of each session', () => {
    const lines: Record<string, unknown>[] = [];
    const clock = new ManualClock();
    const log = new TouchLog(clock, pino({}, { write: (l: string) => lines.push(JSON.parse(l)) }), 10_000);
    log.record('sess_a');
    log.record('sess_a');
    clock.advance(5000);
    log.record('sess_b');
    expect(lines).toHaveLength(0);
    clock.advance(5000);
    log.record('sess_a');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'sessions touched', touches: { sess_a: 3, sess_b: 1 }, sessions: 2, sinceMs: 10_000 });
    log.flush();
    expect(lines).toHaveLength(1); // nothing new to write
  });
});
