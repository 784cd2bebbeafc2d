// The extension's log as the editor writes it to disk: the "Sandbox Explorer" LogOutputChannel
// is a file under the editor's logs folder (the launchers name the user data folder in
// SBX_USER_DATA_DIR), e.g. <user data>/logs/<session>/exthost1/<extension id>/Sandbox Explorer.log. The editor flushes
// it shortly after each line, so readers wait for the line they expect.
import * as fs from 'fs';
import * as path from 'path';

const LOG_NAME = 'Sandbox Explorer.log';

function findLogs(dir: string): string[] {
  const found: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findLogs(full));
    else if (entry.name === LOG_NAME) found.push(full);
  }
  return found;
}

/** Why the log cannot be read here (a launcher that does not name the logs folder), or undefined. */
export function extensionLogUnavailable(): string | undefined {
  return process.env.SBX_USER_DATA_DIR ? undefined : 'SBX_USER_DATA_DIR is not set by this launcher';
}

/** The newest "Sandbox Explorer.log" under the editor's logs folder: this session's. */
export function extensionLogText(): string {
  const root = process.env.SBX_USER_DATA_DIR && path.join(process.env.SBX_USER_DATA_DIR, 'logs');
  if (!root) throw new Error('SBX_USER_DATA_DIR is not set');
  const files = findLogs(root).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (files.length === 0) throw new Error(`no ${LOG_NAME} under ${root}`);
  return fs.readFileSync(files[0], 'utf8');
}

/** Waits until a line of the extension's log matches `pattern` (after `from` characters) and returns it. */
export async function waitForLogLine(pattern: RegExp, options: { from?: number; timeoutMs?: number } = {}): Promise<string> {
  const deadline = Date.now() + (options.timeoutMs ?? 15000);
  for (;;) {
    let text = '';
    try {
      text = extensionLogText().slice(options.from ?? 0);
    } catch {
      /* not written yet */
    }
    const line = text.split('\n').find((l) => pattern.test(l));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no line matching ${pattern} in the extension log; its end:\n${text.split('\n').slice(-15).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
