import type { z } from 'zod';
import { type FieldIssue, ValidationError } from './errors.js';

/** A UTF-16 surrogate without its other half: not a character, and not encodable as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The first text of `value` (a string, or any key or string inside objects and arrays) that no
 * field may hold: a NUL byte (C strings, paths and tmux end there, so what Maestro stores and
 * what it runs would differ) or a lone surrogate (not Unicode); `undefined` when there is none.
 */
function badText(value: unknown, path: string): FieldIssue | undefined {
  if (typeof value === 'string') {
    if (value.includes('\0')) return { path, message: 'must not contain NUL bytes (\\u0000)' };
    if (LONE_SURROGATE.test(value)) return { path, message: 'must be well-formed Unicode (it holds a lone surrogate)' };
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    const bad = badText(key, at) ?? badText(item, at);
    if (bad) return bad;
  }
  return undefined;
}

/**
 * Parses `value` with `schema`, or throws a {@link ValidationError} listing every failing field
 * as `where.path.to.field` with what was expected. Text holding a NUL byte or a lone surrogate is
 * refused whatever the schema says.
 * @param where prefix of the field paths: `body`, `query`, `params`
 * @throws ValidationError when `value` does not match
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const bad = badText(value, where);
  if (bad) throw new ValidationError([bad]);
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues: FieldIssue[] = result.error.issues.flatMap((issue) => {
    const base = [where, ...issue.path.map(String)].filter(Boolean).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: base ? `${base}.${key}` : key, message: 'unknown field' }));
    }
    return [{ path: base, message: issue.message }];
  });
  throw new ValidationError(issues);
}
