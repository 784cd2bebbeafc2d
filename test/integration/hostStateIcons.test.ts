// The Hosts view's state icons (real tree provider in the extension host, model states given):
// "refused" (login, host key, gateway token) and "waiting for a session" are told apart from a
// generic failure, the tooltip gives the last failure's reason, and a sandbox waiting for its
// gateway says "resuming sandbox…".
import * as assert from 'assert';
import * as vscode from 'vscode';
import { HostEntry } from '../../src/common/hostEntry';
import { HostsTreeProvider } from '../../src/hosts/hostsTreeProvider';

type State = ReturnType<ConstructorParameters<typeof HostsTreeProvider>[0]['state']>;

async function item(host: HostEntry, state: State, activity?: string): Promise<vscode.TreeItem> {
  const changed = new vscode.EventEmitter<void>();
  const stateChanged = new vscode.EventEmitter<string>();
  const tree = new HostsTreeProvider(
    { onDidChange: changed.event, onDidChangeState: stateChanged.event, hosts: async () => [host], state: () => state, target: async () => ({ user: 'dev', hostname: '10.0.0.5', port: 22 }), activity: () => activity },
    async () => vscode.Uri.parse(`sbx://${host.name}/`),
  );
  try {
    return await tree.getTreeItem({ kind: 'host', host });
  } finally {
    tree.dispose();
    changed.dispose();
    stateChanged.dispose();
  }
}

const icon = (i: vscode.TreeItem) => (i.iconPath as vscode.ThemeIcon).id;
/** The tooltip's text: MarkdownString.appendText escapes blanks as &nbsp; and punctuation with a backslash. */
const tooltip = (i: vscode.TreeItem) => (i.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ').replace(/\\([\\`*_{}[\]()#+\-.!:])/g, '$1');

describe('Hosts view state icons', () => {
  const host: HostEntry = { name: 'box', source: 'settings', enabled: true };

  it('a refused host (login, host key, gateway token) has its own icon, distinct from a failure, and the reason in its tooltip', async () => {
    const refused = await item(host, { state: 'failed', reason: 'The server refused the login as dev@10.0.0.5:22.', refused: true });
    const failed = await item(host, { state: 'failed', reason: 'Could not reach 10.0.0.5:22: connection refused.' });
    assert.strictEqual(icon(refused), 'shield');
    assert.strictEqual(icon(failed), 'error');
    assert.match(tooltip(refused), /State: refused/);
    assert.match(tooltip(refused), /Failed: The server refused the login as dev@10\.0\.0\.5:22\./);
    assert.match(tooltip(failed), /Failed: Could not reach 10\.0\.0\.5:22: connection refused\./);
    assert.match(refused.accessibilityInformation!.label, /, refused$/);
  });

  it('a connected host whose requests wait for a session slot shows "waiting for a session"', async () => {
    const waiting = await item(host, { state: 'connected', waiting: true });
    const connected = await item(host, { state: 'connected' });
    assert.strictEqual(icon(waiting), 'watch');
    assert.strictEqual(icon(connected), 'vm-active');
    assert.match(tooltip(waiting), /State: waiting for a session/);
  });

  it('a sandbox waiting for its gateway says "resuming sandbox…" while connecting', async () => {
    const sandbox: HostEntry = { name: 'rs-1.acme', source: 'gateway', gateway: 'acme', sandboxId: 'rs-1', group: 'acme', enabled: true };
    const resuming = await item(sandbox, { state: 'connecting' }, 'resuming sandbox…');
    assert.strictEqual(resuming.label, 'rs-1');
    assert.strictEqual(resuming.description, 'resuming sandbox…');
    assert.match(tooltip(resuming), /State: resuming sandbox…/);
    assert.match(tooltip(resuming), /From sandbox rs-1 on gateway acme/);
  });
});
