// The remote watcher's excludes: VS Code's defaults plus the user's own `files.watcherExclude`.
import * as vscode from 'vscode';
import { Logger } from '../../common/log';
import { DEFAULT_WATCH_EXCLUDES, WatchExcludes } from './watchExcludes';

/**
 * Only the user's value is read (`inspect().globalValue`), never a workspace or folder value, and
 * VS Code's `excludes` argument to `watch()` (which merges them) is not used: a window on a sandbox
 * folder reads that folder's `.vscode/settings.json`, which the sandbox writes. Excluding can only
 * hide that sandbox's own changes, which is harmless, but the patterns become regexes matched here
 * on every change and a command line on the sandbox: bounded work is only promised for patterns
 * the user wrote (and WatchExcludes bounds those too). `false` entries un-exclude a default.
 */
export function userWatchExcludes(log: Logger): WatchExcludes {
  const user = vscode.workspace.getConfiguration('files').inspect<Record<string, unknown>>('watcherExclude')?.globalValue;
  const patterns = new Set(DEFAULT_WATCH_EXCLUDES);
  if (user && typeof user === 'object') {
    for (const [pattern, on] of Object.entries(user)) {
      if (on === true) patterns.add(pattern);
      else if (on === false) patterns.delete(pattern);
    }
  }
  return new WatchExcludes(patterns, (pattern, why) => log.debug(`watch: files.watcherExclude pattern ${JSON.stringify(pattern)} not used: ${why}`));
}
