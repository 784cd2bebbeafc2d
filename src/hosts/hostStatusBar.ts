// The status bar says which host the active sbx:// editor is on and how its connection is;
// clicking it offers that host's actions. Hidden for any other editor.
import * as vscode from 'vscode';
import { DisposableStore } from '../common/disposable';
import { Commands } from '../editor/commands';
import { ConnectionState } from '../ssh/hostConnection';
import { shortText, STATE_WORDS, targetText } from './hostLabels';
import { HostsModel } from './hostsModel';

export const SHOW_ACTIONS_COMMAND = 'sandboxExplorer.hosts.showActions';

const ICONS: Record<ConnectionState, string> = {
  disconnected: '$(vm-outline)',
  connecting: '$(sync~spin)',
  connected: '$(vm-active)',
  reconnecting: '$(sync~spin)',
  failed: '$(error)',
};
const BACKGROUNDS: Partial<Record<ConnectionState, string>> = {
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
  private readonly disposables = new DisposableStore();
  private readonly item = this.disposables.add(vscode.window.createStatusBarItem('sandboxExplorer.host', vscode.StatusBarAlignment.Left, 1000));
  private version = 0;

  constructor(
    private readonly model: HostsModel,
    private readonly scheme: string,
  ) {
    this.item.name = 'Sandbox Explorer Host';
    const update = () => void this.update();
    this.disposables.add(model.onDidChange(update));
    this.disposables.add(model.onDidChangeState(update));
    this.disposables.add(vscode.window.onDidChangeActiveTextEditor(update));
    this.disposables.add(vscode.window.tabGroups.onDidChangeTabs(update));
    this.disposables.add(vscode.window.tabGroups.onDidChangeTabGroups(update));
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
    this.disposables.dispose();
  }
}

/** The host's actions in a quick pick: the active editor's host, or the one passed (name, uri, tree node). */
export function registerHostActionsCommand(commands: Commands, model: HostsModel, scheme: string): vscode.Disposable {
  return commands.host(SHOW_ACTIONS_COMMAND, 'Host Actions', 'Actions for which host?', async (host) => {
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
  }, () => activeHostName(scheme));
}
