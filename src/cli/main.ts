import { buildProgram, describeError, packageVersion } from './program.js';

// Output to a closed pipe (`maestro events | head`) ends quietly, as Unix tools do.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

// `maestro --version` alone: commander's own version flag would take `--version` from every
// command (`session update --version N`, `transition --version N` fence on a session's version).
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${packageVersion()}\n`);
  process.exit(0);
}

const program = buildProgram();
program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`${describeError(err, program.opts().url)}\n`);
  process.exitCode = 1;
});
