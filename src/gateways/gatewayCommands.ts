// Sandbox gateway commands: add and remove sandbox ids, enter a (new) API token, upload a local
// public key to the platform and delete one from it. Each takes what its menus pass (a Hosts view
// gateway group or host, a Keys view gateway or platform key, a host or gateway name from a
// notification) or nothing (then it asks).
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { Logger } from '../common/log';
import { displayUser } from '../common/userToken';
import { Commands } from '../editor/commands';
import { hostOfNode, hostsNodeOf } from '../editor/hostsNode';
import { gatewayKeysNodeOf, platformKeyNodeOf } from '../editor/keysNode';
import { keyTypeLabel } from '../ssh/hostKeys/keyBlob';
import { parsePublicKey } from '../ssh/keys/authorizedKeys';
import { listLocalPublicKeys } from '../ssh/keys/localKeys';
import { GatewayConfig } from './gatewayConfig';
import { Gateways } from './gateways';
import { checkSandboxId, sandboxHostName } from './sandboxNames';

export interface GatewayCommandDeps {
  readonly gateways: Gateways;
  /** ~/.ssh on this machine. */
  readonly sshDir: () => string;
  readonly log: Logger;
}

export function registerGatewayCommands(commands: Commands, deps: GatewayCommandDeps): vscode.Disposable {
  const { gateways } = deps;

  /** The gateway an argument names (a gateway group or Keys node, a gateway name, a sandbox host or its name), else asks. */
  const pickGateway = async (arg: unknown, placeHolder: string): Promise<GatewayConfig | undefined> => {
    const all = gateways.configs();
    const named =
      hostsNodeOf(arg, 'group')?.name ??
      gatewayKeysNodeOf(arg)?.gateway ??
      platformKeyNodeOf(arg)?.gateway ??
      hostOfNode(arg)?.gateway ??
      (typeof arg === 'string' ? (all.find((g) => g.name === arg)?.name ?? (await gateways.hosts()).find((h) => h.name === arg)?.gateway) : undefined);
    if (named) {
      const found = all.find((g) => g.name === named);
      if (!found) throw new Error(`${named} is not a gateway in the sandboxExplorer.gateways setting`);
      return found;
    }
    if (all.length === 0) {
      void vscode.window.showInformationMessage('No sandbox gateways yet: add one to the sandboxExplorer.gateways user setting.');
      return undefined;
    }
    if (all.length === 1) return all[0];
    const picked = await vscode.window.showQuickPick(all.map((g) => ({ label: g.name, description: g.baseUrl, g })), { placeHolder });
    return picked?.g;
  };

  return vscode.Disposable.from(
    commands.plain('sandboxExplorer.gateways.addSandbox', 'Add Sandbox', async (arg?: unknown) => {
      const g = await pickGateway(arg, 'Add a sandbox to which gateway?');
      if (!g) return;
      const id = await vscode.window.showInputBox({ title: `Add Sandbox to ${g.name}`, prompt: 'The sandbox id (the SSH user name the gateway expects)', validateInput: (v) => checkSandboxId(v.trim()) });
      if (id === undefined) return;
      const ids = gateways.added(g.name);
      if (!ids.includes(id.trim())) await gateways.setAdded(g.name, [...ids, id.trim()]);
      deps.log.info(`${g.name}: added sandbox ${displayUser(id.trim())} (host ${sandboxHostName(g.name, id.trim())})`);
    }),

    commands.plain('sandboxExplorer.gateways.removeSandbox', 'Remove Sandbox', async (arg?: unknown) => {
      const all = await gateways.hosts();
      const named = hostOfNode(arg)?.name ?? (typeof arg === 'string' ? arg : undefined);
      const removable = all.filter((h) => h.gateway && h.sandboxId && gateways.added(h.gateway).includes(h.sandboxId));
      let host = named ? removable.find((h) => h.name === named) : undefined;
      if (named && !host) throw new Error(`${named} is not a sandbox added by hand (sandboxes a gateway lists stay while it lists them)`);
      if (!host) {
        if (removable.length === 0) return void vscode.window.showInformationMessage('No sandboxes were added by hand.');
        host = (await vscode.window.showQuickPick(removable.map((h) => ({ label: h.sandboxId!, description: h.gateway, h })), { placeHolder: 'Remove which sandbox?' }))?.h;
      }
      if (!host?.gateway) return;
      await gateways.setAdded(host.gateway, gateways.added(host.gateway).filter((id) => id !== host!.sandboxId));
    }),

    commands.plain('sandboxExplorer.gateways.enterToken', 'Enter Gateway API Token', async (arg?: unknown) => {
      const g = await pickGateway(arg, 'Enter the API token of which gateway?');
      if (!g) return;
      if (await gateways.enterToken(g)) void vscode.window.showInformationMessage(`Kept the API token for ${g.name} in the editor's secret storage.`);
    }),

    commands.plain('sandboxExplorer.gateways.uploadKey', 'Upload Key to Gateway', async (arg?: unknown) => {
      const g = await pickGateway(arg, 'Upload a key to which gateway?');
      if (!g) return;
      const keys = await listLocalPublicKeys(deps.sshDir());
      if (keys.length === 0) return void vscode.window.showInformationMessage('No public keys in ~/.ssh. Generate one first.');
      const picked = await vscode.window.showQuickPick(
        keys.map((key) => ({ label: path.basename(key.path, '.pub'), description: `${keyTypeLabel(key.keyType)} ${key.comment}`, detail: key.fingerprint, key })),
        { placeHolder: `Upload which public key to ${g.name}?` },
      );
      if (!picked) return;
      const line = parsePublicKey((await fs.promises.readFile(picked.key.path, 'utf8')).split('\n')[0]);
      const publicKey = `${line.keyType} ${line.blob.toString('base64')}${line.comment ? ` ${line.comment}` : ''}`;
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Uploading ${picked.label} to ${g.name}…` }, () => gateways.addKey(g, picked.label, publicKey));
      deps.log.info(`${g.name}: uploaded ${line.fingerprint}`);
      void vscode.window.showInformationMessage(`${g.name} now trusts ${picked.label} (${line.fingerprint}).`);
    }),

    commands.plain('sandboxExplorer.gateways.deleteKey', 'Delete Key from Gateway', async (arg?: unknown) => {
      let node = platformKeyNodeOf(arg);
      if (!node) {
        const g = await pickGateway(arg, 'Delete a key from which gateway?');
        if (!g) return;
        const keys = await gateways.keys(g);
        const picked = await vscode.window.showQuickPick(keys.map((key) => ({ label: key.name || key.id, description: key.keyType, detail: key.comment, key })), { placeHolder: `Delete which key from ${g.name}?` });
        if (!picked) return;
        node = { kind: 'platformKey', gateway: g.name, key: picked.key };
      }
      const g = gateways.gateway(node.gateway);
      if (!g) throw new Error(`${node.gateway} is not a gateway in the sandboxExplorer.gateways setting`);
      const what = node.key.name || node.key.id;
      const confirm = await vscode.window.showQuickPick(
        [
          { label: `$(trash) Delete ${what} from ${g.name}`, detail: 'Sandboxes of this platform will no longer accept it. If you log in with it, you may lose access.', remove: true },
          { label: 'Keep it', remove: false },
        ],
        { title: `Delete ${what} from ${g.name}?` },
      );
      if (!confirm?.remove) return;
      await gateways.deleteKey(g, node.key.id);
      deps.log.info(`${g.name}: deleted key ${node.key.id}`);
      void vscode.window.showInformationMessage(`Deleted ${what} from ${g.name}.`);
    }),
  );
}
