// authorized_keys as sshd reads it (sshd(8) "AUTHORIZED_KEYS FILE FORMAT"): one key per line,
// `[options] keytype base64 [comment]`. Edits keep every other line byte-identical, including
// its line ending, so a file hand-tuned with options and comments survives an install.
import { decodeKeyBlob, fingerprintSha256, keyTypeOfBlob } from '../hostKeys/keyBlob';

export interface AuthorizedKey {
  /** 1-based line number in the file. */
  readonly line: number;
  /** The options field verbatim (`from="10.0.0.*",no-pty`), empty when none. */
  readonly options: string;
  readonly keyType: string;
  readonly base64: string;
  readonly comment: string;
  /** `SHA256:…`, as `ssh-keygen -lf` prints it. */
  readonly fingerprint: string;
}

export interface PublicKey {
  readonly keyType: string;
  readonly blob: Buffer;
  readonly comment: string;
  readonly fingerprint: string;
}

/** A key line no longer than this is plenty (RSA 16384 is about 2.8 KB); longer lines are not keys we touch. */
const MAX_LINE = 16 * 1024;

/** Splits after each `\n`, so joining the parts gives the text back exactly. */
function splitLines(text: string): string[] {
  const parts = text.match(/[^\n]*\n|[^\n]+$/g);
  return parts ?? [];
}

/** Index just past the options field: a run of non-blank characters where double quotes may hold blanks (and `\"`). */
function endOfOptions(s: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted && c === '\\' && s[i + 1] === '"') i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && (c === ' ' || c === '\t')) return i;
  }
  return quoted ? -1 : s.length;
}

/** `keytype base64 [comment]`; undefined unless the base64 decodes to a key of that type. */
function parseKeyPart(s: string): { keyType: string; base64: string; blob: Buffer; comment: string } | undefined {
  const m = /^(\S+)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(s);
  if (!m) return undefined;
  const blob = decodeKeyBlob(m[2]);
  if (!blob || keyTypeOfBlob(blob) !== m[1]) return undefined;
  return { keyType: m[1], base64: m[2], blob, comment: (m[3] ?? '').trim() };
}

function parseLine(raw: string): (AuthorizedKey & { blob: Buffer }) | undefined {
  const text = raw.replace(/\r?\n$/, '');
  if (text.length > MAX_LINE) return undefined;
  const s = text.replace(/^[ \t]+/, '');
  if (s === '' || s.startsWith('#')) return undefined;
  // A line starts with the key type unless it has options (sshd tries the same two readings).
  let options = '';
  let key = parseKeyPart(s);
  if (!key) {
    const end = endOfOptions(s);
    if (end <= 0) return undefined;
    options = s.slice(0, end);
    key = parseKeyPart(s.slice(end).replace(/^[ \t]+/, ''));
    if (!key) return undefined;
  }
  return { line: 0, options, keyType: key.keyType, base64: key.base64, comment: key.comment, fingerprint: fingerprintSha256(key.blob), blob: key.blob };
}

/** The keys in an authorized_keys text; comments, blank and unreadable lines are skipped (and kept by edits). */
export function parseAuthorizedKeys(text: string): AuthorizedKey[] {
  const keys: AuthorizedKey[] = [];
  splitLines(text).forEach((raw, i) => {
    const parsed = parseLine(raw);
    if (parsed) {
      const { blob: _blob, ...key } = parsed;
      keys.push({ ...key, line: i + 1 });
    }
  });
  return keys;
}

/** A public key line as `*.pub` files and `ssh-keygen` write it (no options). Throws on anything else. */
export function parsePublicKey(line: string): PublicKey {
  const text = line.trim();
  if (/[\r\n]/.test(text)) throw new Error('a public key is one line');
  const key = parseKeyPart(text);
  if (!key) throw new Error('not an OpenSSH public key (expected "type base64 [comment]")');
  return { keyType: key.keyType, blob: key.blob, comment: key.comment, fingerprint: fingerprintSha256(key.blob) };
}

/** `text` with `key` appended unless a line already authorizes the same key (options and comment aside). */
export function addAuthorizedKey(text: string, key: PublicKey): { text: string; added: boolean } {
  const present = splitLines(text).some((raw) => parseLine(raw)?.blob.equals(key.blob));
  if (present) return { text, added: false };
  const line = `${key.keyType} ${key.blob.toString('base64')}${key.comment ? ` ${key.comment.replace(/[\r\n]/g, ' ')}` : ''}\n`;
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  return { text: text + separator + line, added: true };
}

/** `text` without the lines that authorize the key with this fingerprint; every other byte kept. */
export function removeAuthorizedKey(text: string, fingerprint: string): { text: string; removed: number } {
  let removed = 0;
  const kept = splitLines(text).filter((raw) => {
    const match = parseLine(raw)?.fingerprint === fingerprint;
    if (match) removed++;
    return !match;
  });
  return { text: kept.join(''), removed };
}
