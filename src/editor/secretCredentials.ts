// The editor side of saved credentials: SecretStorage and input boxes. What is kept, under
// which key and for which server is decided in ssh/savedCredentials.ts (plain Node, unit tested).
import * as vscode from 'vscode';
import { Logger } from '../common/log';
import { keyboardInteractiveBox } from '../ssh/keyboardInteractivePrompt';
import { SavedCredentials } from '../ssh/savedCredentials';

export function secretCredentials(secrets: vscode.SecretStorage, log: Logger): SavedCredentials {
  return new SavedCredentials(
    {
      get: async (key) => secrets.get(key),
      store: async (key, value) => secrets.store(key, value),
      delete: async (key) => secrets.delete(key),
    },
    {
      ask: async (box) => vscode.window.showInputBox({ ...box, password: true, ignoreFocusOut: true }),
      offerToKeep: async (question) => (await vscode.window.showInformationMessage(question, 'Remember', 'Not Now')) === 'Remember',
      keyboardInteractive: async (request) => {
        const answers: string[] = [];
        for (let i = 0; i < request.prompts.length; i++) {
          const answer = await vscode.window.showInputBox({ ...keyboardInteractiveBox(request, i), ignoreFocusOut: true });
          if (answer === undefined) return undefined;
          answers.push(answer);
        }
        return answers;
      },
    },
    log,
  );
}
