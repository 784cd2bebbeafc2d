// The `sandbox` task type and "Run Command on Sandbox…": both run one command on a sandbox in
// the terminal panel through RemoteCommandTerminal (exit code, timeout and cancel kill the
// remote process tree, one audit line per run).
//
// tasks.json is workspace content, and a sandbox writes the tasks.json of its own folders: a
// task defined in an sbx:// folder (or an sbx:// workspace file) runs only on that folder's
// own sandbox, never on another host of this machine.
import * as vscode from 'vscode';
import { Logger } from '../../common/log';
import { ConnectionPool } from '../../ssh/pool';
import { Commands } from '../../editor/commands';
import { settings } from '../../editor/settings';
import { poolTerminalConnector } from '../sshConnectionAdapter';
import { terminalEnvironment } from '../terminalEnvironment';
import { canonicalEncoding } from '../textDecoder';
import { RemoteCommandTerminal } from './remoteCommand';
import { MatcherName, matchProblem, ownMatchers, RemoteProblem } from './remoteProblems';

export const TASK_TYPE = 'sandbox';
export const RUN_COMMAND = 'sandboxExplorer.terminal.runCommand';

export interface SandboxTaskDefinition extends vscode.TaskDefinition {
  readonly host: string;
  readonly command: string;
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  readonly timeoutSeconds?: number;
}

export interface SandboxTaskDeps {
  readonly pool: ConnectionPool;
  readonly scheme: string;
  readonly log: Logger;
}

export function registerSandboxTasks(commands: Commands, deps: SandboxTaskDeps): vscode.Disposable {
  const problems = new TaskProblems(vscode.languages.createDiagnosticCollection('sandbox tasks'), deps.scheme);
  const execution = (definition: SandboxTaskDefinition, refusal?: string, matchers: MatcherName[] = [], key = '') =>
    new vscode.CustomExecution(async () => (refusal ? refusedTerminal(refusal) : terminalFor(definition, deps, matchers.length ? problems.run(key, definition, matchers) : undefined)));

  const provider: vscode.TaskProvider = {
    provideTasks: () => [],
    resolveTask(task) {
      const definition = task.definition as SandboxTaskDefinition;
      const problem = invalid(definition) ?? foreignHost(task.scope, definition.host, deps.scheme);
      // $tsc/$gcc are matched here, on sbx:// paths (remoteProblems.ts); other matchers stay VS Code's.
      const own = ownMatchers(task.problemMatchers.length ? task.problemMatchers : configuredMatchers(task));
      const theirs = task.problemMatchers.filter((m) => !(own as string[]).includes(m));
      const key = `${definition.host}\0${task.name}`;
      return new vscode.Task(definition, task.scope ?? vscode.TaskScope.Workspace, task.name, TASK_TYPE, execution(definition, problem, own, key), theirs);
    },
  };

  return vscode.Disposable.from(
    problems,
    vscode.tasks.registerTaskProvider(TASK_TYPE, provider),
    // Palette: picks the host, then asks for the command. Hosts view: the host node. Other callers may pass the command line.
    commands.host(RUN_COMMAND, 'Run Command on Sandbox', 'Run a command on which host?', async (host, commandLine?: unknown) => {
      const command = typeof commandLine === 'string' ? commandLine : await vscode.window.showInputBox({ prompt: `Command to run on ${host.name}`, placeHolder: 'make test', ignoreFocusOut: true });
      if (!command?.trim()) return undefined;
      const definition: SandboxTaskDefinition = { type: TASK_TYPE, host: host.name, command };
      const task = new vscode.Task(definition, vscode.TaskScope.Workspace, `${host.name}: ${command}`, TASK_TYPE, execution(definition), []);
      task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, clear: true };
      return vscode.tasks.executeTask(task);
    }),
  );
}

function terminalFor(definition: SandboxTaskDefinition, deps: SandboxTaskDeps, onProblem?: (line: string) => void): RemoteCommandTerminal {
  const env = terminalEnvironment({}, definition.env ?? {});
  if (env.withheld.length) deps.log.info(`task on ${definition.host}: not sending ${env.withheld.length} secret-looking variable(s): ${env.withheld.join(', ')}`);
  const label = settings.terminalEncoding(definition.host);
  return new RemoteCommandTerminal({
    connect: poolTerminalConnector(deps.pool, definition.host, deps.log),
    host: definition.host,
    command: definition.command,
    cwd: definition.cwd,
    env: env.env,
    timeoutSeconds: definition.timeoutSeconds,
    encoding: label && canonicalEncoding(label) ? label : undefined,
    log: deps.log,
    onOutputLine: onProblem,
  });
}

/** What is wrong with a tasks.json definition, or undefined. */
function invalid(d: SandboxTaskDefinition): string | undefined {
  if (typeof d.host !== 'string' || !d.host) return 'the task has no "host"';
  if (typeof d.command !== 'string' || !d.command.trim()) return 'the task has no "command"';
  if (d.cwd !== undefined && (typeof d.cwd !== 'string' || !d.cwd.startsWith('/'))) return '"cwd" must be an absolute remote path';
  if (d.env !== undefined && (typeof d.env !== 'object' || d.env === null || Object.values(d.env).some((v) => typeof v !== 'string'))) return '"env" must map names to strings';
  if (d.timeoutSeconds !== undefined && !(typeof d.timeoutSeconds === 'number' && d.timeoutSeconds > 0)) return '"timeoutSeconds" must be a positive number';
  return undefined;
}

/** A task from a sandbox's own folder (or workspace file) that names another host: refused. */
function foreignHost(scope: vscode.Task['scope'], host: string, scheme: string): string | undefined {
  const sandboxFolders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === scheme).map((f) => f.uri.authority);
  if (scope && typeof scope === 'object' && scope.uri.scheme === scheme && scope.uri.authority !== host) {
    return `a task defined on ${scope.uri.authority} may only run on ${scope.uri.authority}, not on ${host}`;
  }
  if (scope === vscode.TaskScope.Workspace && vscode.workspace.workspaceFile?.scheme === scheme && !sandboxFolders.includes(host)) {
    return `a task from a workspace file on ${vscode.workspace.workspaceFile.authority} may only run on that workspace's sandboxes, not on ${host}`;
  }
  return undefined;
}

function refusedTerminal(reason: string): vscode.Pseudoterminal {
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number>();
  return {
    onDidWrite: write.event,
    onDidClose: close.event,
    open: () => {
      write.fire(`\x1b[31mNot run: ${reason}.\x1b[0m\r\n`);
      close.fire(1);
    },
    close: () => undefined,
  };
}

/** Diagnostics of sandbox tasks on sbx:// files; a task's next run replaces its previous ones. */
class TaskProblems implements vscode.Disposable {
  private readonly byTask = new Map<string, Map<string, vscode.Diagnostic[]>>();

  constructor(
    private readonly collection: vscode.DiagnosticCollection,
    private readonly scheme: string,
  ) {}

  /** Starts a run of task `key`: clears what its last run reported; returns the line handler. */
  run(key: string, definition: SandboxTaskDefinition, matchers: MatcherName[]): (line: string) => void {
    this.clear(key);
    const files = new Map<string, vscode.Diagnostic[]>();
    this.byTask.set(key, files);
    return (line) => {
      const problem = matchProblem(line, matchers, definition.cwd);
      if (!problem || files.size >= 1000) return;
      const uri = vscode.Uri.from({ scheme: this.scheme, authority: definition.host, path: problem.path });
      const list = files.get(uri.toString()) ?? [];
      if (list.length >= 1000) return;
      list.push(toDiagnostic(problem));
      files.set(uri.toString(), list);
      this.collection.set(uri, this.all(uri));
    };
  }

  dispose(): void {
    this.collection.dispose();
  }

  private clear(key: string): void {
    const files = this.byTask.get(key);
    if (!files) return;
    this.byTask.delete(key);
    for (const uri of files.keys()) this.collection.set(vscode.Uri.parse(uri), this.all(vscode.Uri.parse(uri)));
  }

  /** Every task's diagnostics for `uri`. */
  private all(uri: vscode.Uri): vscode.Diagnostic[] {
    return [...this.byTask.values()].flatMap((files) => files.get(uri.toString()) ?? []);
  }
}

function toDiagnostic(problem: RemoteProblem): vscode.Diagnostic {
  const at = new vscode.Position(problem.line - 1, problem.column - 1);
  const severity = problem.severity === 'error' ? vscode.DiagnosticSeverity.Error : problem.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const diagnostic = new vscode.Diagnostic(new vscode.Range(at, at), problem.message, severity);
  diagnostic.source = 'sandbox task';
  if (problem.code) diagnostic.code = problem.code;
  return diagnostic;
}

/**
 * The problemMatcher names tasks.json gives this task: VS Code hands resolveTask a configured
 * task without them (it applies them itself afterwards, on file:// paths). Only names are read.
 */
function configuredMatchers(task: vscode.Task): string[] {
  const scope = task.scope && typeof task.scope === 'object' ? task.scope.uri : undefined;
  const tasks = vscode.workspace.getConfiguration('tasks', scope).get<unknown>('tasks');
  if (!Array.isArray(tasks)) return [];
  const entry = tasks.find((t): t is { problemMatcher?: unknown } => !!t && typeof t === 'object' && (t as { type?: unknown }).type === TASK_TYPE && (t as { label?: unknown }).label === task.name);
  const matchers = entry?.problemMatcher;
  return (Array.isArray(matchers) ? matchers : [matchers]).filter((m): m is string => typeof m === 'string');
}
