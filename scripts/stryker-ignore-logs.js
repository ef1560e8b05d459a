// A StrykerJS ignorer (stryker.config.json `ignorers`): mutants inside log statements are not
// mutants of a rule. Emptying a log line's fields or message, or a block that only logs (a `catch`
// that reports and swallows), changes what an operator reads, never what Maestro does; they would
// otherwise survive every run and hide the rule mutants that matter in the score. Stryker marks
// them Ignored, with this reason, in the report (README, Mutation testing).
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/** `log.warn(…)`, `this.log.info(…)`, `this.deps.log.error(…)`: a call of a level method on something named `log`. */
function isLogCall(node) {
  if (node?.type !== 'CallExpression' || node.callee.type !== 'MemberExpression') return false;
  const { object, property } = node.callee;
  if (property.type !== 'Identifier' || !LEVELS.has(property.name)) return false;
  const owner = object.type === 'MemberExpression' ? object.property : object;
  return owner.type === 'Identifier' && owner.name === 'log';
}

const isLogStatement = (node) => node.type === 'ExpressionStatement' && isLogCall(node.expression);
/** A log statement, or a block of nothing else. */
const onlyLogs = (node) =>
  isLogStatement(node) || (node.type === 'BlockStatement' && node.body.length > 0 && node.body.every(isLogStatement));

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'logs', {
    shouldIgnore(path) {
      const { node } = path;
      if (isLogStatement(node)) return 'a log statement: it changes what an operator reads, not what Maestro does';
      if (node.type === 'BlockStatement' && onlyLogs(node))
        return 'a block that only logs: emptying it changes what an operator reads, not what Maestro does';
      // `if (…) log.info(…)` with no else: its condition only decides whether a line is logged.
      if (node.type === 'IfStatement' && node.alternate === null && onlyLogs(node.consequent))
        return 'a condition that only decides whether to log: it changes what an operator reads, not what Maestro does';
      // An arrow whose body is the log call itself, as in `.catch((err) => log.warn(…))`.
      if (node.type === 'ArrowFunctionExpression' && isLogCall(node.body))
        return 'a callback that only logs: it changes what an operator reads, not what Maestro does';
      return undefined;
    },
  }),
];
