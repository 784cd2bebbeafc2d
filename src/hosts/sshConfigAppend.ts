// Add Host's other destination: a `Host` block appended to the user's ssh config, so `ssh <name>`
// works too. Every existing byte of the file is kept; the file keeps its mode; a symlinked
// config (dotfile managers) is written through to its target; nothing secret is written.
import * as fs from 'fs';
import * as path from 'path';

export interface HostBlock {
  readonly name: string;
  readonly hostname: string;
  readonly user?: string;
  readonly port?: number;
  readonly identityFile?: string;
  readonly proxyJump?: string;
  readonly proxyCommand?: string;
}

/** An ssh config value: bare when it has no blanks, else double-quoted (ssh config has no escape for `"`). */
function configValue(keyword: string, value: string): string {
  if (/[\r\n\0]/.test(value)) throw new Error(`${keyword} cannot hold a line break`);
  if (!/[\s"#]/.test(value)) return value;
  if (value.includes('"')) throw new Error(`${keyword} cannot hold a double quote in an ssh config file`);
  return `"${value}"`;
}

export function hostBlockText(block: HostBlock): string {
  if (!/^[A-Za-z0-9._-]+$/.test(block.name)) throw new Error(`"${block.name}" cannot be an ssh config Host name`);
  const lines = [`Host ${block.name}`, `  HostName ${configValue('HostName', block.hostname)}`];
  if (block.user !== undefined) lines.push(`  User ${configValue('User', block.user)}`);
  if (block.port !== undefined) lines.push(`  Port ${block.port}`);
  if (block.identityFile !== undefined) lines.push(`  IdentityFile ${configValue('IdentityFile', block.identityFile)}`);
  if (block.proxyJump !== undefined) lines.push(`  ProxyJump ${configValue('ProxyJump', block.proxyJump)}`);
  if (block.proxyCommand !== undefined) lines.push(`  ProxyCommand ${block.proxyCommand.replace(/[\r\n]/g, ' ')}`);
  return lines.join('\n') + '\n';
}

/** `text` with the block after it: a missing final newline is added, and one blank line separates them. */
export function appendHostBlock(text: string, block: HostBlock): string {
  const body = hostBlockText(block);
  if (text === '') return body;
  const ended = text.endsWith('\n') ? text : `${text}\n`;
  return `${ended}${ended.endsWith('\n\n') ? '' : '\n'}${body}`;
}

/**
 * Appends the block to `file` through a temp file and a rename next to the real file, keeping
 * its mode (a new file and ~/.ssh are created 0600 / 0700). Returns the line of the `Host`.
 */
export async function appendToSshConfig(file: string, block: HostBlock): Promise<number> {
  let target = file;
  try {
    target = await fs.promises.realpath(file);
  } catch {
    // Not there yet: created below.
  }
  let text = '';
  let mode = 0o600;
  try {
    const st = await fs.promises.stat(target);
    if (!st.isFile()) throw new Error(`${target} is not a regular file`);
    if (st.size > 4 * 1024 * 1024) throw new Error(`${target} is larger than 4 MiB; not edited`);
    text = await fs.promises.readFile(target, 'utf8');
    mode = st.mode & 0o7777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await fs.promises.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
  }
  const next = appendHostBlock(text, block);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.sbx-${process.pid}-${Date.now()}.tmp`);
  const handle = await fs.promises.open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(next, 'utf8');
    await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.promises.rename(temp, target);
  } catch (err) {
    await fs.promises.unlink(temp).catch(() => undefined);
    throw err;
  }
  return next.slice(0, next.length - hostBlockText(block).length).split('\n').length;
}
