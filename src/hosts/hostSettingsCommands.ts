// Editing the sandboxExplorer.hosts setting from the UI: add a host, enable or disable one.
// Only user (global) settings are written: hosts choose where credentials go.
import * as vscode from 'vscode';
import { Commands } from '../editor/commands';
import { settings } from '../editor/settings';
import { addHost } from './addHost';
import { HostEntry } from '../common/hostEntry';
import { PickOptions } from './pickHost';
import { appendToSshConfig } from './sshConfigAppend';

const userHosts = () => settings.hosts() as Record<string, unknown>[];
const writeUserHosts = (hosts: Record<string, unknown>[]) => settings.writeHosts(hosts);

/** Rewrites one entry of the user's hosts list; false (and says so) when the host is not there (a workspace defines it). */
async function updateUserHost(name: string, change: (entry: Record<string, unknown>) => Record<string, unknown>): Promise<boolean> {
  const list = userHosts();
  const index = list.findIndex((h) => h.name === name);
  if (index < 0) {
    void vscode.window.showInformationMessage(`${name} is defined in workspace settings; change it there.`);
    return false;
  }
  list[index] = change(list[index]);
  await writeUserHosts(list);
  return true;
}

/** `onEnabled(name)`: the user enabled a host again, so it may connect (ends a Disconnect's hold). */
export function registerHostSettingsCommands(commands: Commands, hosts: () => Promise<HostEntry[]>, openSettings: () => Thenable<unknown>, onEnabled: (name: string) => void = () => undefined): vscode.Disposable {
  // From the palette only the hosts the command can change are offered: hosts of the
  // user's sandboxExplorer.hosts that are not already in the wanted state.
  const offered = (enabled: boolean): PickOptions => ({
    placeHolder: enabled ? 'Enable which host?' : 'Disable which host?',
    filter: (h) => h.source === 'settings' && h.enabled !== enabled,
    none: enabled ? 'No host is disabled.' : 'No host from the sandboxExplorer.hosts setting is enabled (hosts from ~/.ssh/config cannot be disabled here).',
  });
  const setEnabled = async (host: HostEntry, enabled: boolean) => {
    if (host.source !== 'settings') {
      void vscode.window.showInformationMessage(`${host.name} comes from ~/.ssh/config; only hosts from the sandboxExplorer.hosts setting can be disabled.`);
      return;
    }
    if ((await updateUserHost(host.name, (entry) => ({ ...entry, enabled }))) && enabled) onEnabled(host.name);
  };

  const setGroup = async (host: HostEntry, group: string | undefined) => {
    if (host.source === 'sshConfig') {
      // ssh config has no place for a group: it is kept by alias in a setting of its own.
      const groups = { ...settings.hostGroups() };
      if (group) groups[host.name] = group;
      else delete groups[host.name];
      await settings.writeHostGroups(groups);
      return;
    }
    await updateUserHost(host.name, ({ group: _old, ...rest }) => (group ? { ...rest, group } : rest));
  };

  return vscode.Disposable.from(
    commands.host('sandboxExplorer.hosts.moveToGroup', 'Move to Group', 'Move which host to a group?', async (host) => {
      const existing = [...new Set((await hosts()).map((h) => h.group).filter((g): g is string => !!g && g !== host.group))].sort((a, b) => a.localeCompare(b));
      type Choice = vscode.QuickPickItem & { group?: string; create?: boolean };
      const items: Choice[] = [
        ...existing.map((group): Choice => ({ label: group, iconPath: new vscode.ThemeIcon('folder-library'), group })),
        ...(host.group ? [{ label: 'No Group', description: `take it out of ${host.group}`, iconPath: new vscode.ThemeIcon('close') } satisfies Choice] : []),
        { label: 'New Group…', iconPath: new vscode.ThemeIcon('add'), create: true },
      ];
      const picked = await vscode.window.showQuickPick(items, { title: `Move ${host.name} to a group`, placeHolder: host.group ? `Now in ${host.group}` : 'Not in a group' });
      if (!picked) return;
      let group = picked.group;
      if (picked.create) {
        group = (await vscode.window.showInputBox({ title: `Move ${host.name} to a new group`, prompt: 'Group name', validateInput: checkGroupName }))?.trim();
        if (!group) return;
      }
      await setGroup(host, group);
    }),
    commands.host('sandboxExplorer.hosts.enable', 'Enable Host', offered(true), (host) => setEnabled(host, true)),
    commands.host('sandboxExplorer.hosts.disable', 'Disable Host', offered(false), (host) => setEnabled(host, false)),
    // The view's + passes the focused tree node (or nothing); only a string is a destination.
    commands.plain('sandboxExplorer.hosts.add', 'Add Host', (destinationArg?: unknown, nameArg?: unknown, targetArg?: unknown) =>
      addHost(
        {
          taken: async () => new Set((await hosts()).map((h) => h.name)),
          write: async (entry) => writeUserHosts([...userHosts(), entry]),
          openSettings,
          appendToSshConfig: async (block) => {
            const file = settings.sshConfigFiles()[0];
            const line = await appendToSshConfig(file, block);
            // The ssh config is not watched: list its hosts again now.
            await vscode.commands.executeCommand('sandboxExplorer.hosts.refresh');
            return { file, line };
          },
        },
        destinationArg,
        nameArg,
        targetArg,
      ),
    ),
  );
}

/** A group name: one line the tree can show, not too long. */
export function checkGroupName(value: string): string | undefined {
  const name = value.trim();
  if (!name) return 'Give the group a name';
  if (name.length > 64) return 'At most 64 characters';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'One line, no control characters';
  return undefined;
}
