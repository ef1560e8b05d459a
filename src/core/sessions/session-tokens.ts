import { createHmac, timingSafeEqual } from 'node:crypto';
import { isId } from '../../domain/index.js';

/** What every session token starts with, so a token's kind shows without parsing it further. */
const PREFIX = 'mst1';

/** The MAC of a session id under the server's secret (HMAC-SHA256, base64url). */
function mac(secret: string, sessionId: string): Buffer {
  return createHmac('sha256', secret).update(`maestro session token\0${sessionId}`).digest();
}

/**
 * The token a spawned session is given as `MAESTRO_TOKEN` instead of the server's own: it names
 * its session and carries a MAC of it under the server's token, so the server verifies it without
 * storing anything, it survives restarts, and rotating `MAESTRO_TOKEN` revokes every one of them
 * (docs/design.md §Access policy). Shape: `mst1.<session id>.<base64url HMAC-SHA256>`.
 * @param secret the server's `MAESTRO_TOKEN` (not empty)
 */
export function issueSessionToken(secret: string, sessionId: string): string {
  return `${PREFIX}.${sessionId}.${mac(secret, sessionId).toString('base64url')}`;
}

/**
 * The session id a session token is valid for, or `undefined` when `token` is not a session token
 * issued under `secret`. The MAC is compared in constant time.
 */
export function verifySessionToken(secret: string, token: string): string | undefined {
  const [prefix, sessionId, given, ...rest] = token.split('.');
  if (prefix !== PREFIX || sessionId === undefined || given === undefined || rest.length > 0) return undefined;
  if (!isId('session', sessionId)) return undefined;
  const expected = mac(secret, sessionId);
  const presented = Buffer.from(given, 'base64url');
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return undefined;
  return sessionId;
}
