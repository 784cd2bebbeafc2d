// Credentials for the connection core: asked with input boxes and, only when the user
// agrees after a successful login, kept in SecretStorage. Never in settings, state or logs.
import * as vscode from 'vscode';
import { Logger } from '../common/log';
import { Credentials, KeyboardInteractiveRequest, PassphraseRequest, PasswordRequest, SecretKind } from '../ssh/credentials';

/** The list of stored secrets' keys (not values), so they can be listed and forgotten. */
const INDEX_KEY = 'sandboxExplorer.storedSecrets';

function storageKey(secret: SecretKind): string {
  return secret.kind === 'password' ? `sandboxExplorer.password:${secret.user}@${secret.host}` : `sandboxExplorer.passphrase:${secret.keyPath}`;
}

export class SecretCredentials implements Credentials {
  /** Where the last value for each secret came from; values themselves are not kept here. */
  private readonly origin = new Map<string, 'stored' | 'typed'>();
  /** Typed values waiting for the login result, so they can be offered for storage. */
  private readonly typed = new Map<string, string>();

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: Logger,
  ) {}

  async password(request: PasswordRequest): Promise<string | undefined> {
    const secret: SecretKind = { kind: 'password', host: request.host, user: request.user };
    return this.obtain(secret, request.attempt, {
      title: `Sandbox Explorer: ${request.user}@${request.host}`,
      prompt: request.attempt > 1 ? `Wrong password. Password for ${request.user}@${request.host}` : `Password for ${request.user}@${request.host}`,
    });
  }

  async passphrase(request: PassphraseRequest): Promise<string | undefined> {
    const secret: SecretKind = { kind: 'passphrase', keyPath: request.keyPath };
    return this.obtain(secret, request.attempt, {
      title: 'Sandbox Explorer: key passphrase',
      prompt: request.attempt > 1 ? `Wrong passphrase. Passphrase for ${request.keyPath}` : `Passphrase for ${request.keyPath}`,
    });
  }

  async keyboardInteractive(request: KeyboardInteractiveRequest): Promise<string[] | undefined> {
    const answers: string[] = [];
    for (const [i, p] of request.prompts.entries()) {
      const answer = await vscode.window.showInputBox({
        title: request.name || `Sandbox Explorer: ${request.user}@${request.host}`,
        prompt: [request.instructions, p.prompt].filter(Boolean).join(' — '),
        password: !p.echo,
        ignoreFocusOut: true,
        placeHolder: request.prompts.length > 1 ? `${i + 1} of ${request.prompts.length}` : undefined,
      });
      if (answer === undefined) return undefined;
      answers.push(answer);
    }
    return answers;
  }

  rejected(secret: SecretKind): void {
    const key = storageKey(secret);
    if (this.origin.get(key) === 'stored') void this.forget([key]);
    this.origin.delete(key);
    this.typed.delete(key);
  }

  accepted(secret: SecretKind): void {
    const key = storageKey(secret);
    const value = this.typed.get(key);
    this.typed.delete(key);
    if (this.origin.get(key) !== 'typed' || value === undefined) return;
    this.origin.delete(key);
    const what = secret.kind === 'password' ? `the password for ${secret.user}@${secret.host}` : `the passphrase for ${secret.keyPath}`;
    // Not awaited: the login goes on while the offer is shown.
    void vscode.window.showInformationMessage(`Remember ${what} in the editor's secret storage?`, 'Remember', 'Not Now').then(async (choice) => {
      if (choice !== 'Remember') return;
      await this.secrets.store(key, value);
      await this.updateIndex((keys) => [...new Set([...keys, key])]);
      this.log.info(`kept ${what} in the editor's secret storage`);
    });
  }

  /** Stored secrets as "password for user@host" / "passphrase for <key>" labels with their keys. */
  async stored(): Promise<Array<{ label: string; key: string }>> {
    const keys: string[] = JSON.parse((await this.secrets.get(INDEX_KEY)) ?? '[]');
    return keys.map((key) => ({ key, label: key.replace(/^sandboxExplorer\.(password|passphrase):/, '$1 for ') }));
  }

  async forget(keys: string[]): Promise<void> {
    for (const key of keys) await this.secrets.delete(key);
    await this.updateIndex((all) => all.filter((k) => !keys.includes(k)));
  }

  private async updateIndex(change: (keys: string[]) => string[]): Promise<void> {
    const keys: string[] = JSON.parse((await this.secrets.get(INDEX_KEY)) ?? '[]');
    await this.secrets.store(INDEX_KEY, JSON.stringify(change(keys)));
  }

  private async obtain(secret: SecretKind, attempt: number, box: { title: string; prompt: string }): Promise<string | undefined> {
    const key = storageKey(secret);
    if (attempt === 1) {
      const stored = await this.secrets.get(key);
      if (stored !== undefined) {
        this.origin.set(key, 'stored');
        return stored;
      }
    }
    const value = await vscode.window.showInputBox({ ...box, password: true, ignoreFocusOut: true });
    if (value === undefined) return undefined;
    this.origin.set(key, 'typed');
    this.typed.set(key, value);
    return value;
  }
}
