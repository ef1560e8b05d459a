import { buildProgram, describeError } from './program.js';

// Output to a closed pipe (`maestro events | head`) ends quietly, as Unix tools do.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = buildProgram();
program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`${describeError(err, program.opts().url)}\n`);
  process.exitCode = 1;
});
