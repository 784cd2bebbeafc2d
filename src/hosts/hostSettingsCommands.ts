// Editing the sandboxExplorer.hosts setting from the UI: add a host, enable or disable one.
// Only user (global) settings are written: hosts choose where credentials go.
import * as vscode from 'vscode';
import { splitUserToken } from '../common/userToken';
import { HostEntry, hostFromSettings } from './hostEntry';
import { settings } from '../ui/settings';
import { hostFromArgument } from './pickHost';

const userHosts = () => settings.hosts() as Record<string, unknown>[];
const writeUserHosts = (hosts: Record<string, unknown>[]) => settings.writeHosts(hosts);

/** `[user@]host[:port]` as typed in the Add Host box. */
export function parseDestination(text: string): { user?: string; host: string; port?: number } | undefined {
  const m = /^(?:([^@\s]+)@)?([^@\s:]+|\[[^\]\s]+\])(?::(\d{1,5}))?$/.exec(text.trim());
  if (!m) return undefined;
  const port = m[3] ? Number(m[3]) : undefined;
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return { user: m[1], host: m[2].replace(/^\[|\]$/g, ''), port };
}

/** `onEnabled(name)`: the user enabled a host again, so it may connect (ends a Disconnect's hold). */
export function registerHostSettingsCommands(hosts: () => Promise<HostEntry[]>, onEnabled: (name: string) => void = () => undefined): vscode.Disposable {
  const setEnabled = async (arg: unknown, enabled: boolean) => {
    const host = await hostFromArgument(arg, hosts, enabled ? 'Enable which host?' : 'Disable which host?');
    if (!host) return;
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
    vscode.commands.registerCommand('sandboxExplorer.hosts.enable', (arg?: unknown) => setEnabled(arg, true)),
    vscode.commands.registerCommand('sandboxExplorer.hosts.disable', (arg?: unknown) => setEnabled(arg, false)),
    vscode.commands.registerCommand('sandboxExplorer.hosts.add', async (destinationArg?: string, nameArg?: string) => {
      const destination =
        destinationArg ??
        (await vscode.window.showInputBox({
          title: 'Add Host (1/2)',
          prompt: 'SSH destination: [user@]host[:port]',
          placeHolder: 'root@sandbox.example.com:2222',
          ignoreFocusOut: true,
          validateInput: (v) => (parseDestination(v) ? undefined : 'Expected [user@]host[:port]'),
        }));
      const parsed = destination ? parseDestination(destination) : undefined;
      if (!parsed) return;
      const existing = new Set((await hosts()).map((h) => h.name));
      const name =
        nameArg ??
        (await vscode.window.showInputBox({
          title: 'Add Host (2/2)',
          prompt: 'Name shown in the Hosts view and used in sbx:// URIs',
          value: parsed.host,
          ignoreFocusOut: true,
          validateInput: (v) => (!hostFromSettings({ name: v }) ? 'A name without spaces or slashes' : existing.has(v.trim()) ? 'A host with this name exists' : undefined),
        }));
      if (!name || !hostFromSettings({ name }) || existing.has(name.trim())) return;
      // A gateway token after `#` is never written to settings: the host asks for it at connect time.
      const user = parsed.user ? splitUserToken(parsed.user) : undefined;
      const userFields = user ? { user: user.user, ...(user.token !== undefined ? { userToken: true } : {}) } : {};
      await writeUserHosts([...userHosts(), { name: name.trim(), host: parsed.host, ...(parsed.port ? { port: parsed.port } : {}), ...userFields }]);
      if (user?.token !== undefined) {
        void vscode.window.showInformationMessage(`The token after "#" was not written to settings. ${name.trim()} asks for it when it connects and keeps it in the editor's secret storage.`);
      }
    }),
  );
}
