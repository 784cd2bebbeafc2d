// Host key questions as a person sees them: a modal with the SHA256 fingerprint for a
// new host, an error with old and new fingerprints for a changed or revoked key.
import * as vscode from 'vscode';
import { ChangedHostKeyInfo, HostKeyPrompt, NewHostKeyInfo, RevokedHostKeyInfo } from '../ssh/hostKeys';

function hostLabel(info: { host: string; port: number; hostKeyAlias?: string }): string {
  const name = info.hostKeyAlias ?? info.host;
  return info.port === 22 ? name : `${name}:${info.port}`;
}

export const hostKeyPrompt: HostKeyPrompt = {
  async confirmNewHost(info: NewHostKeyInfo): Promise<boolean> {
    const detail = [
      `${info.keyType} key fingerprint is ${info.fingerprint}.`,
      info.certAuthorityOnly ? 'A @cert-authority line names this host, but host certificates cannot be verified by this extension.' : '',
      'Compare it with the fingerprint the sandbox provider shows before you trust it.',
    ]
      .filter(Boolean)
      .join('\n\n');
    const choice = await vscode.window.showWarningMessage(
      `The authenticity of host "${hostLabel(info)}" can't be established.`,
      { modal: true, detail },
      'Trust and Connect',
    );
    return choice === 'Trust and Connect';
  },

  changedHostKey(info: ChangedHostKeyInfo): void {
    void vscode.window.showErrorMessage(
      `The host key of "${hostLabel(info)}" has CHANGED — connection refused. Someone could be intercepting the connection, or the host was rebuilt.`,
      {
        modal: true,
        detail: `Presented: ${info.keyType} ${info.fingerprint}\nKnown: ${info.knownFingerprints.join(', ')}\n(${info.file}, line ${info.line})\n\nIf the change is expected, remove that line and connect again.`,
      },
    );
  },

  revokedHostKey(info: RevokedHostKeyInfo): void {
    void vscode.window.showErrorMessage(`The host key of "${hostLabel(info)}" is marked @revoked — connection refused.`, {
      modal: true,
      detail: `${info.keyType} ${info.fingerprint}\n(${info.file}, line ${info.line})`,
    });
  },
};
