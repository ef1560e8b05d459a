import type { z } from 'zod';
import { type FieldIssue, ValidationError } from './errors.js';

/**
 * Parses `value` with `schema`, or throws a {@link ValidationError} listing every failing field
 * as `where.path.to.field` with what was expected.
 * @param where prefix of the field paths: `body`, `query`, `params`
 * @throws ValidationError when `value` does not match
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
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
