import { buildProgram, describeError } from './program.js';

const program = buildProgram();
program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`${describeError(err, program.opts().url)}\n`);
  process.exitCode = 1;
});
