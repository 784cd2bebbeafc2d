// The editor side of sandbox terminals: "Open Terminal" on a host, "Open Terminal Here" on an
// sbx:// folder, the "Sandbox…" terminal profile, and `code <path>` opening sbx:// resources.
// The terminal itself is the plain-Node SandboxPseudoterminal; hosts and URIs are resolved by
// functions the composition root passes in (this folder does not import hosts/ or fs/).
import * as path from 'path';
import * as vscode from 'vscode';
import { Logger } from '../common/log';
import { ConnectionPool } from '../ssh/pool';
import { OpenRequest } from './openRequestFilter';
import { SandboxPseudoterminal } from './sandboxPseudoterminal';
import { poolTerminalConnector } from './sshConnectionAdapter';
import { terminalEnvironment } from './terminalEnvironment';
import { settings } from '../editor/settings';

export const COMMAND = {
  open: 'sandboxExplorer.terminal.open',
  openHere: 'sandboxExplorer.terminal.openHere',
} as const;
export const PROFILE_ID = 'sandboxExplorer.terminal.profile';

export interface TerminalDeps {
  readonly pool: ConnectionPool;
  /** The sbx:// scheme. */
  readonly scheme: string;
  /** A host name from a command argument (tree node, sbx:// uri, name), else asks; undefined when cancelled. */
  hostFromArgument(arg: unknown, placeHolder: string): Promise<string | undefined>;
  /** An sbx:// folder from a command argument (Explorer uri, Hosts view folder node). */
  folderFromArgument(arg: unknown): vscode.Uri | undefined;
  /** The host's ssh config SetEnv. */
  setEnv(host: string): Promise<Record<string, string>>;
  readonly log: Logger;
}

/** `shellIntegrationNonce` is newer than the @types/vscode this project builds against (1.100). */
type TerminalOptionsWithNonce = vscode.ExtensionTerminalOptions & { shellIntegrationNonce?: string };

export function registerTerminalCommands(deps: TerminalDeps): vscode.Disposable {
  const create = async (host: string, cwd?: string): Promise<TerminalOptionsWithNonce> => {
    const env = terminalEnvironment(await deps.setEnv(host).catch(() => ({})), settings.terminalEnv());
    if (env.withheld.length) deps.log.info(`terminal on ${host}: not sending ${env.withheld.length} secret-looking variable(s): ${env.withheld.join(', ')}`);
    const pty = new SandboxPseudoterminal({
      connect: poolTerminalConnector(deps.pool, host, deps.log),
      host,
      cwd,
      env: env.env,
      log: deps.log,
      onOpenRequest: (request) => void openRequested(deps.scheme, host, request),
    });
    // The nonce our hook puts in its command-line sequences: VS Code then trusts them (rerun without asking).
    return { name: cwd ? `${host}: ${path.posix.basename(cwd) || '/'}` : host, pty, iconPath: new vscode.ThemeIcon('remote'), shellIntegrationNonce: pty.nonce };
  };
  const show = async (host: string, cwd?: string) => {
    const terminal = vscode.window.createTerminal(await create(host, cwd));
    terminal.show();
    return terminal;
  };
  return vscode.Disposable.from(
    vscode.commands.registerCommand(COMMAND.open, async (arg?: unknown) => {
      const host = await deps.hostFromArgument(arg, 'Open a terminal on which host?');
      return host ? show(host) : undefined;
    }),
    // explorer/context passes (clickedUri, selectedUris); the Hosts view passes the folder node.
    vscode.commands.registerCommand(COMMAND.openHere, async (arg?: unknown) => {
      const folder = deps.folderFromArgument(arg) ?? activeFolder(deps.scheme);
      // Without a folder (palette, no sbx:// editor) it opens on a host, in the remote home.
      if (!folder) return vscode.commands.executeCommand<vscode.Terminal | undefined>(COMMAND.open, arg);
      return show(folder.authority, folder.path);
    }),
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

async function openRequested(scheme: string, host: string, request: OpenRequest): Promise<void> {
  const uri = vscode.Uri.from({ scheme, authority: host, path: request.path });
  if (request.kind === 'folder') await vscode.commands.executeCommand('revealInExplorer', uri);
  else await vscode.window.showTextDocument(uri, { preview: false });
}
