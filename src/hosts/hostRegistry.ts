import * as vscode from 'vscode';
import { Logger } from '../common/log';
import { HostEntry, hostFromSettings } from './hostEntry';
import { ConnectionStateName, HostsModel } from './hostsTreeProvider';

const SECTION = 'sandboxExplorer';

/** Knows every host (settings now; ssh config next) and its connection state. */
export class HostRegistry implements HostsModel, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly log: Logger) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.hosts`)) this.changed.fire();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()),
    );
  }

  async hosts(): Promise<HostEntry[]> {
    return this.settingsHosts();
  }

  async find(name: string): Promise<HostEntry | undefined> {
    return (await this.hosts()).find((h) => h.name === name);
  }

  state(): { state: ConnectionStateName; reason?: string } {
    return { state: 'disconnected' };
  }

  /** Hosts choose where credentials go: read from user settings only until the workspace is trusted. */
  private settingsHosts(): HostEntry[] {
    const inspected = vscode.workspace.getConfiguration(SECTION).inspect<unknown[]>('hosts');
    const raw = vscode.workspace.isTrusted
      ? vscode.workspace.getConfiguration(SECTION).get<unknown[]>('hosts', [])
      : inspected?.globalValue ?? [];
    const hosts: HostEntry[] = [];
    for (const item of Array.isArray(raw) ? raw : []) {
      const host = hostFromSettings(item);
      if (host) hosts.push(host);
      else this.log.warn(`Ignoring an invalid entry in ${SECTION}.hosts (it needs a "name" without spaces or slashes).`);
    }
    return hosts;
  }

  dispose(): void {
    this.subscriptions.forEach((d) => d.dispose());
    this.changed.dispose();
  }
}
