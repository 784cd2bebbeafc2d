// The status bar says which host the active sbx:// editor is on and how its connection is;
// clicking it offers that host's actions. Hidden for any other editor.
import * as vscode from 'vscode';
import { HostEntry } from '../common/hostEntry';
import { ConnectionStateName, shortText, STATE_WORDS, targetText } from './hostLabels';
import { HostsModel } from './hostsTreeProvider';
import { hostFromArgument } from './pickHost';

export const SHOW_ACTIONS_COMMAND = 'sandboxExplorer.hosts.showActions';

const ICONS: Record<ConnectionStateName, string> = {
  disconnected: '$(vm-outline)',
  connecting: '$(sync~spin)',
  connected: '$(vm-active)',
  reconnecting: '$(sync~spin)',
  failed: '$(error)',
};
const BACKGROUNDS: Partial<Record<ConnectionStateName, string>> = {
  reconnecting: 'statusBarItem.warningBackground',
  failed: 'statusBarItem.errorBackground',
};

/** The resource of the active editor tab, whatever kind of editor shows it. */
function activeResource(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputNotebook) return input.uri;
  if (input instanceof vscode.TabInputTextDiff || input instanceof vscode.TabInputNotebookDiff) return input.modified;
  return vscode.window.activeTextEditor?.document.uri;
}

/** The host of the active editor when it shows a file of `scheme` (sbx; passed in, hosts/ does not import fs/). */
export function activeHostName(scheme: string): string | undefined {
  const uri = activeResource();
  return uri?.scheme === scheme ? uri.authority : undefined;
}

export class HostStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('sandboxExplorer.host', vscode.StatusBarAlignment.Left, 1000);
  private readonly subscriptions: vscode.Disposable[] = [];
  private version = 0;

  constructor(
    private readonly model: HostsModel,
    private readonly scheme: string,
  ) {
    this.item.name = 'Sandbox Explorer Host';
    this.subscriptions.push(
      this.item,
      model.onDidChange(() => void this.update()),
      model.onDidChangeState(() => void this.update()),
      vscode.window.onDidChangeActiveTextEditor(() => void this.update()),
      vscode.window.tabGroups.onDidChangeTabs(() => void this.update()),
      vscode.window.tabGroups.onDidChangeTabGroups(() => void this.update()),
    );
    void this.update();
  }

  private async update(): Promise<void> {
    const version = ++this.version;
    const name = activeHostName(this.scheme);
    if (!name) {
      this.item.hide();
      return;
    }
    const host = (await this.model.hosts()).find((h) => h.name === name);
    const target = host ? targetText(await this.model.target(host)) : undefined;
    if (version !== this.version) return; // a newer update started meanwhile
    const { state, reason } = this.model.state(name);
    this.item.text = `${ICONS[state]} ${name}`;
    const background = BACKGROUNDS[state];
    this.item.backgroundColor = background ? new vscode.ThemeColor(background) : undefined;
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(`${name}${target ? ` (${target})` : ''}: ${STATE_WORDS[state]}`);
    if (reason) tooltip.appendMarkdown('\n\n').appendText(reason);
    tooltip.appendMarkdown('\n\n').appendText('Click for this host\'s actions.');
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: `Sandbox host ${name}, ${STATE_WORDS[state]}${reason ? `: ${shortText(reason)}` : ''}` };
    this.item.command = { command: SHOW_ACTIONS_COMMAND, title: 'Host Actions', arguments: [name] };
    this.item.show();
  }

  dispose(): void {
    this.subscriptions.forEach((d) => d.dispose());
  }
}

/** The host's actions in a quick pick: the active editor's host, or the one passed (name, uri, tree node). */
export function registerHostActionsCommand(model: HostsModel, scheme: string): vscode.Disposable {
  return vscode.commands.registerCommand(SHOW_ACTIONS_COMMAND, async (arg?: unknown) => {
    const host: HostEntry | undefined = await hostFromArgument(arg ?? activeHostName(scheme), () => model.hosts(), 'Actions for which host?');
    if (!host) return;
    const { state } = model.state(host.name);
    const connected = state === 'connected' || state === 'reconnecting' || state === 'connecting';
    const actions: Array<vscode.QuickPickItem & { command: string }> = [
      ...(connected ? [] : [{ label: '$(plug) Connect', command: 'sandboxExplorer.hosts.connect' }]),
      ...(connected ? [{ label: '$(debug-disconnect) Disconnect', command: 'sandboxExplorer.hosts.disconnect' }] : []),
      { label: '$(folder-opened) Open Remote Folder…', command: 'sandboxExplorer.fs.openFolder' },
      { label: '$(output) Show Log', command: 'sandboxExplorer.log.show' },
    ];
    const picked = await vscode.window.showQuickPick(actions, { title: `${host.name}: ${STATE_WORDS[state]}`, placeHolder: `What to do with ${host.name}` });
    if (picked) await vscode.commands.executeCommand(picked.command, host.name);
  });
}
