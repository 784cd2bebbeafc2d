import * as vscode from 'vscode';
import { SaveFallback } from '../fs/sbxFileSystemProvider';
import { settings } from './settings';

/** `sandboxExplorer.files.inPlaceSave`: ask (default), always or never overwrite in place when a safe save is impossible. */
export const inPlaceSavePrompt: SaveFallback = {
  async allowInPlace(uri, why) {
    const mode = settings.inPlaceSave();
    if (mode === 'always') return true;
    if (mode === 'never') return false;
    const choice = await vscode.window.showWarningMessage(
      `${uri.path} cannot be saved safely on ${uri.authority}.`,
      { modal: true, detail: `${why}\n\nOverwriting in place works, but a dropped connection during the save can leave the file truncated.` },
      'Overwrite in Place',
    );
    return choice === 'Overwrite in Place';
  },
};
