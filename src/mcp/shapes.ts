import type { z } from 'zod';

/** The fields of an object schema, also through the transform a body schema may end with (`spawnInput`). */
type ShapeOf<S> = S extends z.ZodObject<infer Shape> ? Shape : S extends z.ZodPipe<infer In, z.ZodType> ? ShapeOf<In> : never;

/**
 * The fields `keys` of a route's own zod schema, as an MCP tool's input shape: a tool takes what
 * the HTTP route takes, checked by the same rules (issue #25.1), never a copy of them.
 * @throws Error when `schema` is not an object (or an object piped into a transform)
 */
export function pickShape<S extends z.ZodType, K extends keyof ShapeOf<S> & string>(
  schema: S,
  keys: readonly K[],
): Pick<ShapeOf<S>, K> {
  const object = ('in' in schema ? (schema as unknown as { in: z.ZodType }).in : schema) as unknown as {
    shape?: Record<string, z.ZodType>;
  };
  if (!object.shape) throw new Error('pickShape: expected an object schema');
  const shape = object.shape;
  return Object.fromEntries(keys.map((k) => [k, shape[k]])) as unknown as Pick<ShapeOf<S>, K>;
}
