import { allCommands, type CommandSpec, type Completion } from './completion-model.js';

/**
 * Shell completion scripts for `maestro`, generated from the CLI's own {@link CommandSpec} tree.
 * Static (Tab never starts node) but for the names of sessions, projects and tasks, which the
 * scripts ask `maestro __complete KIND` for. Each script walks the words typed so far the same way:
 * a subcommand of the command reached so far goes one level down, an option that takes a value
 * takes the next word, `--` ends it all (what follows is a command of its own: files), and any
 * other word is a positional argument. The tables it consults are `case` statements written here.
 */

/** The shells `maestro completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** `text` as one word in single quotes, for bash and zsh. */
const sq = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

/** `text` as one word in single quotes, for fish (which escapes `\` and `'` inside them). */
const fq = (text: string): string => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/** A completion as the scripts' tables give it: the words, `@session`/`@project`/`@task`, or `@any`. */
const encode = (c: Completion): string => (c === 'any' ? '@any' : 'names' in c ? `@${c.names}` : c.words.join(' '));

/** The key a table looks a command's option or argument up by: `session list --status`, ` --url`, `session get 1`. */
const key = (spec: CommandSpec, rest: string): string => `${spec.path.join(' ')} ${rest}`;

/** One arm of a `case` table: the patterns it matches and what it prints, a line each. */
interface Arm {
  patterns: string[];
  lines: string[];
}

/**
 * The value tables every shell needs: option values by `path flag`, then arguments by `path N`. A
 * `*` in a pattern matches anything: the program's options (`* --url`, once, after every command's
 * own) and a variadic argument's later positions (`session spawn *`).
 */
function valueArms(root: CommandSpec): { options: Arm[]; args: Arm[] } {
  const options: Arm[] = [];
  const programOptions: Arm[] = [];
  const args: Arm[] = [];
  const variadic: Arm[] = [];
  for (const spec of allCommands(root)) {
    for (const option of spec.options) {
      if (!option.value) continue;
      if (!option.global) options.push({ patterns: option.flags.map((f) => key(spec, f)), lines: [encode(option.value)] });
      else if (spec === root) programOptions.push({ patterns: option.flags.map((f) => `* ${f}`), lines: [encode(option.value)] });
    }
    spec.args.forEach((arg, i) => {
      args.push({ patterns: [key(spec, String(i + 1))], lines: [encode(arg)] });
    });
    const last = spec.args.at(-1);
    if (spec.variadic && last) variadic.push({ patterns: [`${spec.path.join(' ')} *`], lines: [encode(last)] });
  }
  return { options: [...options, ...programOptions], args: [...args, ...variadic] };
}

/** A POSIX `case` table (valid in bash and zsh) as a function printing the lines of the arm `$1` matches. */
function shFunction(name: string, doc: string, arms: Arm[]): string {
  // Quoted but for the wildcards (keys hold no `*` of their own).
  const pattern = (p: string) => p.split('*').map(sq).join('*');
  return [
    `# ${doc}`,
    `${name}() {`,
    '  case "$1" in',
    ...arms.map((a) => `    ${a.patterns.map(pattern).join(' | ')}) printf '%s\\n' ${a.lines.map(sq).join(' ')} ;;`),
    '  esac',
    '}',
  ].join('\n');
}

/** The tables bash and zsh share; `described` adds `:description` to subcommands and options (zsh's `_describe`). */
function shTables(root: CommandSpec, described: boolean): string {
  const commands = allCommands(root);
  const { options, args } = valueArms(root);
  const entry = (name: string, description: string) => (described ? `${name}:${description}` : name);
  return [
    shFunction(
      '__maestro_subcommands',
      'The subcommands of the command path $1, one a line.',
      commands
        .filter((c) => c.subcommands.length > 0)
        .map((c) => ({
          patterns: [c.path.join(' ')],
          lines: c.subcommands.map((s) => entry(s.path.at(-1) as string, s.description)),
        })),
    ),
    shFunction(
      '__maestro_options',
      "The options of the command path $1 (its own and the program's), one a line.",
      commands.map((c) => ({
        patterns: [c.path.join(' ')],
        lines: c.options.flatMap((o) => o.flags.map((f) => entry(f, o.description))),
      })),
    ),
    shFunction(
      '__maestro_option_value',
      'What the value of the option "$1" ("path flag") completes with: words, @session|@project|@task, or @any; nothing for an option without a value.',
      options,
    ),
    shFunction(
      '__maestro_argument',
      'What the positional argument "$1" ("path N", from 1) completes with, as __maestro_option_value.',
      args,
    ),
  ].join('\n\n');
}

function bash(root: CommandSpec): string {
  return `# bash completion for maestro, written by \`maestro completion bash\` from the CLI itself.
# Install: add \`source <(maestro completion bash)\` to ~/.bashrc, or
#   maestro completion bash > ~/.local/share/bash-completion/completions/maestro

${shTables(root, false)}

# Whether $2 is a subcommand of the command path $1.
__maestro_is_subcommand() {
  case " $(__maestro_subcommands "$1" | tr '\\n' ' ') " in
    *" $2 "*) return 0 ;;
  esac
  return 1
}

_maestro() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd='' word='' pending='' nargs=0 i=1 candidates='' name=''
  COMPREPLY=()
  while [ "$i" -lt "$COMP_CWORD" ]; do
    word="\${COMP_WORDS[i]}"
    i=$((i + 1))
    if [ -n "$pending" ]; then
      pending=''
      continue
    fi
    case "$word" in
      --) return 0 ;;
      -*=*) ;;
      -*) pending="$(__maestro_option_value "$cmd $word")" ;;
      *)
        if __maestro_is_subcommand "$cmd" "$word"; then
          cmd="\${cmd:+$cmd }$word"
          nargs=0
        else
          nargs=$((nargs + 1))
        fi
        ;;
    esac
  done
  if [ -n "$pending" ]; then
    candidates="$pending"
  elif [ "\${cur#-}" != "$cur" ]; then
    candidates="$(__maestro_options "$cmd")"
  else
    candidates="$(__maestro_subcommands "$cmd")"
    [ -n "$candidates" ] || candidates="$(__maestro_argument "$cmd $((nargs + 1))")"
  fi
  case "$candidates" in
    '' | @any) return 0 ;;
    @*)
      # Names from the server, one a line; a name with spaces stays one word.
      local IFS=$'\\n'
      for name in $(compgen -W "$("\${COMP_WORDS[0]}" __complete "\${candidates#@}" 2>/dev/null)" -- "$cur"); do
        COMPREPLY+=("$(printf '%q' "$name")")
      done
      ;;
    *) COMPREPLY=($(compgen -W "$candidates" -- "$cur")) ;;
  esac
  return 0
}

complete -o default -F _maestro maestro
`;
}

function zsh(root: CommandSpec): string {
  return `#compdef maestro
# zsh completion for maestro, written by \`maestro completion zsh\` from the CLI itself.
# Install: add \`source <(maestro completion zsh)\` to ~/.zshrc after compinit, or
#   maestro completion zsh > "\${fpath[1]}/_maestro"

${shTables(root, true)}

_maestro() {
  local cur="\${words[CURRENT]}" cmd='' word='' pending='' nargs=0 i=2 candidates='' line='' known=''
  local -a entries found
  while [ "$i" -lt "$CURRENT" ]; do
    word="\${words[i]}"
    i=$((i + 1))
    if [ -n "$pending" ]; then
      pending=''
      continue
    fi
    case "$word" in
      --) _files; return ;;
      -*=*) ;;
      -*) pending="$(__maestro_option_value "$cmd $word")" ;;
      *)
        known=''
        for line in \${(f)"$(__maestro_subcommands "$cmd")"}; do
          [[ "\${line%%:*}" == "$word" ]] && known=1
        done
        if [ -n "$known" ]; then
          cmd="\${cmd:+$cmd }$word"
          nargs=0
        else
          nargs=$((nargs + 1))
        fi
        ;;
    esac
  done
  if [ -n "$pending" ]; then
    candidates="$pending"
  elif [[ "$cur" == -* ]]; then
    entries=(\${(f)"$(__maestro_options "$cmd")"})
    _describe -t options 'option' entries
    return
  else
    entries=(\${(f)"$(__maestro_subcommands "$cmd")"})
    if (( \${#entries} > 0 )); then
      _describe -t commands 'command' entries
      return
    fi
    candidates="$(__maestro_argument "$cmd $((nargs + 1))")"
  fi
  case "$candidates" in
    '' | @any) _files ;;
    @*)
      found=(\${(f)"$("\${words[1]}" __complete "\${candidates#@}" 2>/dev/null)"})
      compadd -a found
      ;;
    *)
      found=(\${=candidates})
      compadd -a found
      ;;
  esac
}

# Sourced: register it; autoloaded from $fpath (the file is then _maestro's body): complete now.
if [ "\${funcstack[1]}" = "_maestro" ]; then
  _maestro "$@"
else
  compdef _maestro maestro
fi
`;
}

/** A fish `switch` table as a function printing the lines of the case `$argv[1]` matches. */
function fishFunction(name: string, doc: string, arms: Arm[]): string {
  return [
    `function ${name} --description ${fq(doc)}`,
    '    switch "$argv[1]"',
    // fish's case takes wildcards even quoted: a variadic pattern's `*` works as it is.
    ...arms.flatMap((a) => [
      `        case ${a.patterns.map(fq).join(' ')}`,
      `            printf '%s\\n' ${a.lines.map(fq).join(' ')}`,
    ]),
    '    end',
    'end',
  ].join('\n');
}

function fish(root: CommandSpec): string {
  const commands = allCommands(root);
  const { options, args } = valueArms(root);
  const at = (spec: CommandSpec) => `-n "__maestro_is '${spec.path.join(' ')}'"`;
  const subcommandLines = commands.flatMap((c) =>
    c.subcommands.map((s) => `complete -c maestro ${at(c)} -a ${fq(s.path.at(-1) as string)} -d ${fq(s.description)}`),
  );
  const optionLines = commands.flatMap((c) =>
    c.options.map((o) => {
      const flags = o.flags.map((f) => (f.startsWith('--') ? `-l ${fq(f.slice(2))}` : `-s ${fq(f.slice(1))}`));
      return `complete -c maestro ${at(c)} ${flags.join(' ')} -d ${fq(o.description)}`;
    }),
  );
  return `# fish completion for maestro, written by \`maestro completion fish\` from the CLI itself.
# Install: maestro completion fish > ~/.config/fish/completions/maestro.fish

${fishFunction(
  '__maestro_subcommands',
  'the subcommands of the command path $argv[1]',
  commands
    .filter((c) => c.subcommands.length > 0)
    .map((c) => ({ patterns: [c.path.join(' ')], lines: c.subcommands.map((s) => s.path.at(-1) as string) })),
)}

${fishFunction('__maestro_option_value', 'what the value of the option "path flag" completes with', options)}

${fishFunction('__maestro_argument', 'what the positional argument "path N" completes with', args)}

function __maestro_walk --description 'reads the words before the cursor: the command path, the arguments given, an option awaiting its value'
    set -l line (commandline -pc)
    # Every completion's condition asks: walk once per command line.
    if set -q __maestro_walked; and test "$__maestro_walked" = "$line"
        return
    end
    set -g __maestro_walked $line
    set -g __maestro_cmd ''
    set -g __maestro_nargs 0
    set -g __maestro_pending ''
    set -g __maestro_dashes 0
    set -l tokens (commandline -opc)
    set -e tokens[1]
    for word in $tokens
        if test -n "$__maestro_pending"
            set -g __maestro_pending ''
            continue
        end
        # \`--\` compared by contains, not by a case of its own: no option parsing can take it.
        if contains -- -- $word
            set -g __maestro_dashes 1
            return
        end
        switch $word
            case '-*=*'
            case '-*'
                set -g __maestro_pending (__maestro_option_value "$__maestro_cmd $word")
            case '*'
                if contains -- $word (__maestro_subcommands "$__maestro_cmd")
                    set -g __maestro_cmd (string trim -- "$__maestro_cmd $word")
                    set -g __maestro_nargs 0
                else
                    set -g __maestro_nargs (math $__maestro_nargs + 1)
                end
        end
    end
end

function __maestro_is --description 'whether the words typed so far reach the command path $argv[1], no value awaited'
    __maestro_walk
    test $__maestro_dashes -eq 0; and test -z "$__maestro_pending"; and test "$__maestro_cmd" = "$argv[1]"
end

function __maestro_values --description 'values of the option awaiting one, or of the positional argument at the cursor'
    __maestro_walk
    set -l cur (commandline -ct)
    if test $__maestro_dashes -eq 1
        __fish_complete_path "$cur"
        return
    end
    set -l candidates $__maestro_pending
    if test -z "$candidates"
        string match -q -- '-*' "$cur"; and return
        # A command with subcommands takes no argument of its own here.
        set -l subcommands (__maestro_subcommands "$__maestro_cmd")
        test (count $subcommands) -gt 0; and return
        set candidates (__maestro_argument "$__maestro_cmd "(math $__maestro_nargs + 1))
    end
    switch "$candidates"
        case '' '@any'
            __fish_complete_path "$cur"
        case '@*'
            set -l program (commandline -opc)[1]
            $program __complete (string sub -s 2 -- "$candidates") 2>/dev/null
        case '*'
            string split ' ' -- "$candidates"
    end
end

complete -c maestro -f
${subcommandLines.join('\n')}
${optionLines.join('\n')}
complete -c maestro -a '(__maestro_values)'
`;
}

/** The completion script of `shell` for the program `root` describes. */
export function completionScript(shell: Shell, root: CommandSpec): string {
  return { bash, zsh, fish }[shell](root);
}
