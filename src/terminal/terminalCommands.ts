// The editor side of sandbox terminals: "Open Terminal" on a host, "Open Terminal Here" on an
// sbx:// folder, the "Sandbox…" terminal profile, and `code <path>` opening sbx:// resources.
// The terminal itself is the plain-Node SandboxPseudoterminal; hosts and URIs are resolved by
// functions the composition root passes in (this folder does not import hosts/ or fs/).
import * as path from 'path';
import * as vscode from 'vscode';
import { Logger } from '../common/log';
import { findFileLinks, resolveRemotePath } from './terminalLinks';
import { FOCUS_COMMAND, SandboxTerminals, TERMINAL_FEATURE } from './sandboxTerminals';
import { Commands, CommandArgumentError } from '../editor/commands';
import { childOfNode } from '../editor/hostsNode';

export const COMMAND = {
  open: 'sandboxExplorer.terminal.open',
  openHere: 'sandboxExplorer.terminal.openHere',
  focus: FOCUS_COMMAND,
  close: 'sandboxExplorer.terminal.close',
} as const;
export const PROFILE_ID = 'sandboxExplorer.terminal.profile';

export interface TerminalDeps {
  readonly terminals: SandboxTerminals;
  /** The sbx:// scheme. */
  readonly scheme: string;
  /** A host name from a command argument (tree node, sbx:// uri, name), else asks; undefined when cancelled. */
  hostFromArgument(arg: unknown, placeHolder: string): Promise<string | undefined>;
  /** An sbx:// folder from a command argument (Explorer uri, Hosts view folder node). */
  folderFromArgument(arg: unknown): vscode.Uri | undefined;
  readonly log: Logger;
}

/** A link in a sandbox terminal's output: the file, resolved on that terminal's host. */
interface SandboxTerminalLink extends vscode.TerminalLink {
  readonly uri: vscode.Uri;
  readonly line?: number;
  readonly column?: number;
}

export function registerTerminalCommands(commands: Commands, deps: TerminalDeps): vscode.Disposable {
  const create = (host: string, cwd?: string) => deps.terminals.create(host, cwd);
  const rowTerminal = (arg: unknown) => {
    const row = childOfNode(arg, TERMINAL_FEATURE);
    if (!row) throw new CommandArgumentError('expected a terminal row of the Hosts view');
    // Closed meanwhile: nothing to do (the row goes with the next refresh).
    return deps.terminals.terminalOf(row.host, row.id);
  };
  const show = async (host: string, cwd?: string) => {
    const terminal = vscode.window.createTerminal(await create(host, cwd));
    terminal.show();
    return terminal;
  };
  const linkProvider: vscode.TerminalLinkProvider<SandboxTerminalLink> = {
    provideTerminalLinks(context) {
      const info = deps.terminals.info(context.terminal);
      if (!info) return [];
      // The shell's current folder (our hook reports it), else where the terminal started.
      const cwd = context.terminal.shellIntegration?.cwd?.path ?? info.cwd;
      return findFileLinks(context.line).flatMap((link) => {
        const remote = resolveRemotePath(link.path, cwd, undefined);
        if (!remote) return [];
        const uri = vscode.Uri.from({ scheme: deps.scheme, authority: info.host, path: remote });
        return [{ startIndex: link.startIndex, length: link.length, tooltip: `Open ${info.host}:${remote}${link.line ? `:${link.line}` : ''}`, uri, line: link.line, column: link.column }];
      });
    },
    async handleTerminalLink(link) {
      try {
        const stat = await vscode.workspace.fs.stat(link.uri);
        if (stat.type & vscode.FileType.Directory) return void (await vscode.commands.executeCommand('revealInExplorer', link.uri));
        const at = link.line ? new vscode.Position(link.line - 1, Math.max(0, (link.column ?? 1) - 1)) : undefined;
        await vscode.window.showTextDocument(link.uri, { preview: false, selection: at ? new vscode.Range(at, at) : undefined });
      } catch (err) {
        void vscode.window.showWarningMessage(`${link.uri.authority}:${link.uri.path} cannot be opened: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  };
  return vscode.Disposable.from(
    commands.host(COMMAND.open, 'Open Terminal', 'Open a terminal on which host?', (host) => show(host.name)),
    // explorer/context passes (clickedUri, selectedUris); the Hosts view passes the folder node.
    commands.plain(COMMAND.openHere, 'Open Terminal Here', async (arg?: unknown) => {
      const folder = deps.folderFromArgument(arg) ?? activeFolder(deps.scheme);
      // Without a folder (palette, no sbx:// editor) it opens on a host, in the remote home.
      if (!folder) return vscode.commands.executeCommand<vscode.Terminal | undefined>(COMMAND.open, arg);
      return show(folder.authority, folder.path);
    }),
    // A Hosts view terminal row: its click passes the row, its context menu too.
    commands.plain(COMMAND.focus, 'Focus Terminal', (arg?: unknown) => rowTerminal(arg)?.show()),
    commands.plain(COMMAND.close, 'Close Terminal', (arg?: unknown) => rowTerminal(arg)?.dispose()),
    vscode.window.registerTerminalLinkProvider(linkProvider),
    vscode.window.registerTerminalProfileProvider(PROFILE_ID, {
      async provideTerminalProfile() {
        const host = await deps.hostFromArgument(undefined, 'Open a terminal on which host?');
        return host ? new vscode.TerminalProfile(await create(host)) : undefined;
      },
    }),
  );
}

/** The folder of the active sbx:// editor. */
function activeFolder(scheme: string): vscode.Uri | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return uri?.scheme === scheme ? uri.with({ path: path.posix.dirname(uri.path) }) : undefined;
}
