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
    const list = userHosts();
    const index = list.findIndex((h) => h.name === host.name);
    if (index < 0) {
      void vscode.window.showInformationMessage(`${host.name} is defined in workspace settings; change it there.`);
      return;
    }
    list[index] = { ...list[index], enabled };
    await writeUserHosts(list);
    if (enabled) onEnabled(host.name);
  };

  return vscode.Disposable.from(
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
