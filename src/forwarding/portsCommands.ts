// The Ports commands: Forward a Port… (the Ports view's title, a host's context menu), and on a
// forward's row (in the Ports view or under its host) Open in Browser, Copy Local Address,
// Stop and Restart; Forward on a detected port. Also the auto-forward notifications.
import * as vscode from 'vscode';
import { HostEntry } from '../common/hostEntry';
import { Logger } from '../common/log';
import { Commands } from '../editor/commands';
import { childOfNode } from '../editor/hostsNode';
import { AutoForwardNotice } from './autoForward';
import { ForwardRow } from './forwardManager';
import { DEFAULT_LOCAL_BIND, ForwardSpec, ForwardSpecError, parseForwardSpec } from './forwardSpec';
import { PortsService } from './hostPorts';
import { isLoopbackBind } from './localListeners';
import { FORWARD_FEATURE, looksLikeHttp, PortsNode } from './portsView';
import { opensOnWorkbenchOrigin } from './workbenchOrigin';

export const PORTS_COMMAND = {
  forward: 'sandboxExplorer.ports.forward',
  openBrowser: 'sandboxExplorer.ports.openBrowser',
  copyAddress: 'sandboxExplorer.ports.copyAddress',
  stop: 'sandboxExplorer.ports.stop',
  restart: 'sandboxExplorer.ports.restart',
  forwardDetected: 'sandboxExplorer.ports.forwardDetected',
} as const;

export interface PortsCommandDeps {
  readonly ports: PortsService;
  /** Names of the hosts connected now (the picker offers them first; one alone is taken without asking). */
  connectedHosts(): string[];
  /** The bind address setting. */
  bindAddress(): string;
  /** The `protocol` attribute of a remote port, if set. */
  protocolOf(port: number): 'http' | 'https' | undefined;
  readonly log: Logger;
}

const EXAMPLES = '3000, 8080:localhost:80, db.internal:5432, R 9000:localhost:9000, D 1080 or /var/run/docker.sock';

export function registerPortsCommands(commands: Commands, deps: PortsCommandDeps): vscode.Disposable {
  const { ports } = deps;
  let warnedBind = false;
  const confirmedOnWorkbench = new Set<string>();

  const forward = async (host: HostEntry, text?: unknown): Promise<ForwardRow | undefined> => {
    const input =
      typeof text === 'string'
        ? text
        : await vscode.window.showInputBox({
            title: `Forward a Port on ${host.name}`,
            prompt: `A remote port, or ${EXAMPLES}`,
            placeHolder: '3000',
            ignoreFocusOut: true,
            validateInput: (value) => {
              if (value.trim() === '') return undefined;
              try {
                parseForwardSpec(value);
                return undefined;
              } catch (err) {
                return err instanceof ForwardSpecError ? err.message : String(err);
              }
            },
          });
    if (input === undefined || input.trim() === '') return undefined;
    const spec = withBindAddress(parseForwardSpec(input), input, deps.bindAddress());
    if (spec.kind !== 'remote' && spec.listen.kind === 'tcp' && !isLoopbackBind(spec.listen.host) && !warnedBind) {
      warnedBind = true;
      void vscode.window.showWarningMessage(`Forwards listen on ${spec.listen.host}: other machines that can reach this one can reach ${host.name} through them.`);
    }
    const row = await ports.forward(host.name, spec, 'user');
    if (row.state === 'failed') await offerAnotherPort(host.name, row);
    return ports.row(host.name, row.id) ?? row;
  };

  const offerAnotherPort = async (host: string, row: ForwardRow): Promise<void> => {
    const message = `Could not forward ${row.remoteAddress} on ${host}: ${row.reason ?? 'failed'}`;
    if (row.suggestedPort === undefined || row.spec.kind === 'remote' || row.spec.listen.kind !== 'tcp') return void vscode.window.showErrorMessage(message);
    const use = `Use Port ${row.suggestedPort}`;
    if ((await vscode.window.showErrorMessage(message, use)) !== use) return;
    const moved: ForwardSpec = { ...row.spec, listen: { ...row.spec.listen, port: row.suggestedPort } } as ForwardSpec;
    await ports.stop(host, row.id);
    await ports.forward(host, moved, 'user');
  };

  return vscode.Disposable.from(
    commands.host(PORTS_COMMAND.forward, 'Forward a Port', { placeHolder: 'Forward a port on which host?', filter: (h) => h.enabled && (deps.connectedHosts().length === 0 || deps.connectedHosts().includes(h.name)) }, forward, () => {
      const connected = deps.connectedHosts();
      return connected.length === 1 ? connected[0] : undefined;
    }),
    commands.plain(PORTS_COMMAND.openBrowser, 'Open in Browser', async (node) => {
      const { host, row } = forwardOf(node, ports);
      const { external, onWorkbenchOrigin } = await browserTarget(row, deps.protocolOf);
      // Asked once per forward and window: the page would run as the editor itself.
      const key = `${host}\n${row.remoteAddress}\n${row.localPort}`;
      if (onWorkbenchOrigin && !confirmedOnWorkbench.has(key)) {
        if (!(await confirmOnWorkbenchOrigin(host, row, external))) return undefined;
        confirmedOnWorkbench.add(key);
      }
      await vscode.env.openExternal(external);
      return external.toString(true);
    }),
    commands.plain(PORTS_COMMAND.copyAddress, 'Copy Local Address', async (node) => {
      const { row } = forwardOf(node, ports);
      const address = row.spec.kind === 'remote' ? row.remoteAddress : row.localAddress?.split(', ')[0];
      if (!address) throw new Error('the forward is not listening');
      await vscode.env.clipboard.writeText(address);
      return address;
    }),
    commands.plain(PORTS_COMMAND.stop, 'Stop Forwarding', async (node) => {
      const { host, row } = forwardOf(node, ports);
      await ports.stop(host, row.id);
    }),
    commands.plain(PORTS_COMMAND.restart, 'Restart Forward', async (node) => {
      const { host, row } = forwardOf(node, ports);
      const restarted = await ports.restart(host, row.id);
      if (restarted?.state === 'failed') await offerAnotherPort(host, restarted);
      return restarted;
    }),
    commands.plain(PORTS_COMMAND.forwardDetected, 'Forward Port', async (node) => {
      const n = node as Partial<PortsNode> | undefined;
      if (n?.view !== 'ports' || n.kind !== 'detected' || typeof n.host !== 'string' || typeof n.port !== 'number') throw new Error('no detected port given');
      const row = await ports.forward(n.host, { kind: 'local', listen: { kind: 'tcp', host: deps.bindAddress(), port: n.port }, target: { kind: 'tcp', host: 'localhost', port: n.port } }, 'user');
      if (row.state === 'failed') await offerAnotherPort(n.host, row);
      return ports.row(n.host, row.id) ?? row;
    }),
  );
}

/** The forward a row stands for, from the Ports view's node or the Hosts view's child row; its current state. */
function forwardOf(node: unknown, ports: PortsService): { host: string; row: ForwardRow } {
  const child = childOfNode(node, FORWARD_FEATURE);
  const n = node as Partial<PortsNode> | undefined;
  const host = child?.host ?? (n?.view === 'ports' && n.kind === 'forward' ? n.host : undefined);
  const id = child ? Number(child.id) : n?.view === 'ports' && n.kind === 'forward' ? n.row?.id : undefined;
  const row = host !== undefined && id !== undefined ? ports.row(host, id) : undefined;
  if (!host || !row) throw new Error('that forward is gone');
  return { host, row };
}

/** A spec typed without a listen address listens where the bindAddress setting says. */
function withBindAddress(spec: ForwardSpec, input: string, bindAddress: string): ForwardSpec {
  if (bindAddress === DEFAULT_LOCAL_BIND || spec.kind === 'remote' || spec.listen.kind !== 'tcp' || spec.listen.host !== DEFAULT_LOCAL_BIND || input.includes(DEFAULT_LOCAL_BIND)) return spec;
  return { ...spec, listen: { ...spec.listen, host: bindAddress } } as ForwardSpec;
}

/**
 * The URL a forward opens at: asExternalUri, because in a browser-based editor (code-server)
 * localhost is the server's and the editor maps it, possibly onto its own origin (then
 * `onWorkbenchOrigin`: the sandbox's page would run as the editor).
 */
export async function browserTarget(row: ForwardRow, protocolOf: (port: number) => 'http' | 'https' | undefined): Promise<{ external: vscode.Uri; onWorkbenchOrigin: boolean }> {
  if (!row.localPort) throw new Error(`${row.remoteAddress} has no local port yet`);
  const target = row.spec.kind !== 'dynamic' && row.spec.target.kind === 'tcp' ? row.spec.target.port : row.localPort;
  const scheme = protocolOf(target) ?? (target === 443 || target === 8443 ? 'https' : 'http');
  const asked = vscode.Uri.parse(`${scheme}://localhost:${row.localPort}/`);
  const external = await vscode.env.asExternalUri(asked);
  // The app's own scheme maps to a URL on the workbench's origin in a browser-based editor.
  const workbench = await Promise.resolve(vscode.env.asExternalUri(vscode.Uri.parse(`${vscode.env.uriScheme}://sandbox-explorer/ports`))).catch(() => undefined);
  return { external, onWorkbenchOrigin: opensOnWorkbenchOrigin(asked, external, workbench) };
}

/** One clear question before a sandbox's page is opened on the editor's own origin. */
async function confirmOnWorkbenchOrigin(host: string, row: ForwardRow, external: vscode.Uri): Promise<boolean> {
  const open = { label: '$(warning) Open Anyway', detail: `Its scripts could read your files and run commands here. Only if you trust what ${host} serves on ${row.remoteAddress}.` };
  const cancel = { label: "Don't Open", detail: 'Copy Local Address is safer.' };
  const picked = await vscode.window.showQuickPick([cancel, open], {
    title: `A page from ${host} would run as this editor: ${external.toString(true)} is on the editor's own address`,
    placeHolder: 'Open it on the editor\'s own address?',
    ignoreFocusOut: true,
  });
  return picked === open;
}

/** Tells the user about auto-forwards: one message per batch; opens browsers where the attributes say so. */
export function showAutoForwardNotice(host: string, notice: AutoForwardNotice, deps: { openBrowser(row: ForwardRow, host: string, automatically?: boolean): unknown; forwardOn(host: string, port: number, localPort: number): unknown }, openedOnce: Set<string>): void {
  switch (notice.kind) {
    case 'limit':
      void vscode.window.showInformationMessage(`${notice.max} ports of ${host} were forwarded automatically; no more will be. Forward others from the Ports view.`);
      return;
    case 'unavailable': {
      const use = notice.suggestedPort !== undefined ? `Forward to Port ${notice.suggestedPort}` : undefined;
      void vscode.window.showWarningMessage(`Remote port ${notice.port}${notice.label ? ` (${notice.label})` : ''} on ${host} needs the same local port: ${notice.reason}.`, ...(use ? [use] : [])).then((picked) => {
        if (picked === use && notice.suggestedPort !== undefined) return deps.forwardOn(host, notice.port, notice.suggestedPort);
        return undefined;
      });
      return;
    }
    case 'forwarded': {
      const said: string[] = [];
      for (const { row, action, label } of notice.rows) {
        const key = `${host}:${row.remoteAddress}`;
        if (action === 'openBrowser' || (action === 'openBrowserOnce' && !openedOnce.has(key))) {
          openedOnce.add(key);
          deps.openBrowser(row, host, true);
        } else if (action === 'openPreview' && row.localPort) {
          void vscode.commands.executeCommand('simpleBrowser.show', `http://localhost:${row.localPort}/`);
        } else if (action === 'notify') {
          said.push(`${label ? `${label} (${row.remoteAddress})` : row.remoteAddress} → ${row.localAddress ?? '?'}`);
        }
      }
      if (!said.length) return;
      const open = 'Open in Browser';
      const single = notice.rows.length === 1 && looksLikeHttp(notice.rows[0].row) ? notice.rows[0].row : undefined;
      void vscode.window.showInformationMessage(`Forwarded from ${host}: ${said.join(', ')}`, ...(single ? [open] : [])).then((picked) => (picked === open && single ? deps.openBrowser(single, host) : undefined));
      return;
    }
  }
}
