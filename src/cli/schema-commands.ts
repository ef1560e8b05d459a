import type { Command } from 'commander';
import { sessionMetadataJsonSchema } from '../domain/index.js';

/** `maestro schema session`: the JSON Schema of exported session metadata. */
export function schemaCommands(program: Command): void {
  program
    .command('schema')
    .description('print JSON Schemas')
    .command('session')
    .description('the JSON Schema of session metadata (session-metadata.schema.json)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(sessionMetadataJsonSchema(), null, 2)}\n`);
    });
}
