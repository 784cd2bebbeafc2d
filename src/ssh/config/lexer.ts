// Splits one ssh_config line the way OpenSSH 9.2 does (readconf.c process_config_line_depth,
// misc.c strdelim/argv_split).
//
// Why not the `ssh-config` npm package's parser: it differs from OpenSSH on exactly the lines
// the parity corpus covers. It keeps single quotes (`User 'bob'` → `'bob'`), cuts values at a
// `#` inside a word (`HostName a#b` → `a`; OpenSSH only treats `#` at the start of a word as a
// comment), re-joins ProxyCommand words with single spaces (OpenSSH keeps the rest of the line
// verbatim, `#` included) and leaves `SetEnv A=1 "B=c d"` unsplit. The lexer is small, so it is
// written here against OpenSSH's own rules instead of patched around.

const WHITESPACE = ' \t\r\n';

export interface ConfigLine {
  /** Lower-cased keyword. */
  readonly keyword: string;
  /** Arguments with quotes and escapes removed; a word starting with `#` ends the list. */
  readonly args: string[];
  /** The rest of the line after the keyword and its separator, verbatim (ProxyCommand, ProxyJump, Match). */
  readonly rest: string;
}

export class LexError extends Error {}

/** Cursor over a string for strdelim(), which consumes a line word by word. */
export interface Cursor {
  s: string | undefined;
}

/**
 * OpenSSH strdelim(): the next word, split at whitespace, `"` quotes and one `=`.
 * Returns undefined for an unterminated quote (OpenSSH returns NULL there).
 */
export function strdelim(cur: Cursor): string | undefined {
  const s = cur.s;
  if (s === undefined) return undefined;
  let i = 0;
  while (i < s.length && !`${WHITESPACE}"=`.includes(s[i])) i++;
  if (i === s.length) {
    cur.s = undefined;
    return s;
  }
  if (s[i] === '"') {
    const close = s.indexOf('"', i + 1);
    if (close < 0) {
      cur.s = undefined;
      return undefined;
    }
    const word = s.slice(0, i) + s.slice(i + 1, close);
    cur.s = skipWhitespace(s, close + 1);
    return word;
  }
  const sawEquals = s[i] === '=';
  const word = s.slice(0, i);
  let j = skipWhitespace(s, i + 1);
  // Allow only one '=' between words: "key = value" and "key=value" are the same.
  if (!sawEquals && j.startsWith('=')) j = skipWhitespace(j, 1);
  cur.s = j;
  return word;
}

function skipWhitespace(s: string, from: number): string {
  let i = from;
  while (i < s.length && WHITESPACE.includes(s[i])) i++;
  return s.slice(i);
}

/**
 * OpenSSH argv_split(s, terminate_on_comment=1): words separated by spaces/tabs; `"` and `'`
 * quote; backslash escapes a quote, a backslash, or (outside quotes) a space.
 */
export function argvSplit(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === ' ' || s[i] === '\t') {
      i++;
      continue;
    }
    if (s[i] === '#') break;
    let quote = '';
    let word = '';
    for (; i < s.length; i++) {
      const c = s[i];
      if (c === '\\') {
        const n = s[i + 1];
        if (n === "'" || n === '"' || n === '\\' || (quote === '' && n === ' ')) {
          word += n;
          i++;
        } else {
          word += c;
        }
      } else if (quote === '' && (c === ' ' || c === '\t')) {
        break;
      } else if (quote === '' && (c === '"' || c === "'")) {
        quote = c;
      } else if (quote !== '' && c === quote) {
        quote = '';
      } else {
        word += c;
      }
    }
    if (quote !== '') throw new LexError('invalid quotes');
    out.push(word);
  }
  return out;
}

/** Lexes one line; undefined for blank lines and comments. Throws LexError for a line OpenSSH rejects. */
export function lexLine(raw: string): ConfigLine | undefined {
  // Trailing whitespace (and form feed) is dropped before anything else.
  const line = raw.replace(/[ \t\r\n\f]+$/, '');
  if (line === '') return undefined;
  const cur: Cursor = { s: line };
  let keyword = strdelim(cur);
  if (keyword === '') keyword = strdelim(cur); // leading whitespace
  if (keyword === undefined || keyword === '' || keyword.startsWith('#')) return undefined;
  const rest = cur.s === undefined ? '' : skipWhitespace(cur.s, 0);
  if (rest === '') throw new LexError(`no argument after keyword "${keyword.toLowerCase()}"`);
  return { keyword: keyword.toLowerCase(), args: argvSplit(rest), rest };
}
