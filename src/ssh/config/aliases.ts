// The concrete host names declared in ssh config files, for the hosts tree: every `Host` word
// that is not a pattern or a negation (nor a name ssh would refuse on its command line), in
// file order, following Includes wherever they are.
import { ConfigFileSpec, SYSTEM_CONFIG_DIR, defaultConfigFiles, localIdentity } from './defaults';
import { ConfigFs, includeTargets, nodeConfigFs } from './includes';
import { LexError, lexLine } from './lexer';
import { isConcreteHostName, isValidHostArgument } from './patterns';

export interface ListAliasesOptions {
  readonly homeDir?: string;
  readonly localUser?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly fs?: ConfigFs;
  readonly systemDir?: string;
}

/** readconf.c READCONF_MAX_DEPTH; deeper includes are a config error that resolving reports. */
const MAX_DEPTH = 16;

/** Where a concrete host name is first declared: the `Host` line (1-based) in its file. */
export interface HostDeclaration {
  readonly name: string;
  readonly file: string;
  readonly line: number;
}

export function listHostAliases(configFiles?: readonly ConfigFileSpec[], opts: ListAliasesOptions = {}): string[] {
  return listHostDeclarations(configFiles, opts).map((d) => d.name);
}

export function listHostDeclarations(configFiles?: readonly ConfigFileSpec[], opts: ListAliasesOptions = {}): HostDeclaration[] {
  const local = localIdentity(opts);
  const env = opts.env ?? process.env;
  const cfs = opts.fs ?? nodeConfigFs;
  const found = new Map<string, HostDeclaration>();

  const read = (file: string, userConfig: boolean, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    const text = cfs.readFile(file);
    if (text === undefined) return;
    for (const [index, raw] of text.split('\n').entries()) {
      let line;
      try {
        line = lexLine(raw);
      } catch (err) {
        // A malformed line hides nothing else; resolving the host reports it.
        if (err instanceof LexError) continue;
        throw err;
      }
      if (line?.keyword === 'host') {
        for (const word of line.args) {
          if (isConcreteHostName(word) && isValidHostArgument(word) && !found.has(word)) found.set(word, { name: word, file, line: index + 1 });
        }
      } else if (line?.keyword === 'include') {
        for (const arg of line.args) {
          let targets: string[] = [];
          try {
            targets = includeTargets(arg, { userConfig, globHome: env.HOME || local.homeDir, systemDir: opts.systemDir ?? SYSTEM_CONFIG_DIR, homeDir: local.homeDir, localUser: local.user, fs: cfs });
          } catch {
            // A `~` include in the system config: ssh refuses it, there is nothing to list.
          }
          for (const target of targets) read(target, userConfig, depth + 1);
        }
      }
    }
  };

  for (const spec of configFiles ?? defaultConfigFiles(local.homeDir)) {
    const file = typeof spec === 'string' ? { path: spec, system: false } : spec;
    read(file.path, !file.system, 0);
  }
  return [...found.values()];
}
