import { z } from 'zod';
import { sessionSchema } from './session.js';

/**
 * The JSON Schema (draft 2020-12) of a session's metadata, as `maestro session export` writes it
 * and `maestro session import` reads it; generated from the same zod schema the API validates with.
 */
export function sessionMetadataJsonSchema(): Record<string, unknown> {
  return {
    $id: 'session-metadata.schema.json',
    title: 'Maestro session metadata',
    ...z.toJSONSchema(sessionSchema, { target: 'draft-2020-12' }),
  };
}
