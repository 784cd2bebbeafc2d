// OpenSSH's pattern matching (match.c): `*` is any run of characters, `?` exactly one,
// everything else literal; no character classes. Pattern lists are comma-separated and a
// matching `!pattern` vetoes the whole list.

/** match.c match_pattern(): case-sensitive glob match of the whole string. */
export function matchPattern(s: string, pattern: string): boolean {
  let si = 0;
  let pi = 0;
  // Backtracking point for the most recent `*`.
  let starP = -1;
  let starS = 0;
  while (si < s.length) {
    if (pi < pattern.length && pattern[pi] === '*') {
      starP = pi++;
      starS = si;
    } else if (pi < pattern.length && (pattern[pi] === '?' || pattern[pi] === s[si])) {
      pi++;
      si++;
    } else if (starP >= 0) {
      pi = starP + 1;
      si = ++starS;
    } else {
      return false;
    }
  }
  while (pi < pattern.length && pattern[pi] === '*') pi++;
  return pi === pattern.length;
}

/**
 * match.c match_pattern_list(): 1 if some entry matches, -1 if a negated entry matches
 * (checked in order, so a negation anywhere wins), 0 otherwise. With `lowerPattern` the
 * entries are lower-cased first (the string is not).
 */
export function matchPatternList(s: string, list: string, lowerPattern: boolean): -1 | 0 | 1 {
  let positive = false;
  for (let entry of list.split(',')) {
    const negated = entry.startsWith('!');
    if (negated) entry = entry.slice(1);
    if (lowerPattern) entry = entry.toLowerCase();
    if (matchPattern(s, entry)) {
      if (negated) return -1;
      positive = true;
    }
  }
  return positive ? 1 : 0;
}

/** match.c match_hostname(): a pattern list compared case-insensitively on both sides. */
export function matchHostname(host: string, list: string): -1 | 0 | 1 {
  return matchPatternList(host.toLowerCase(), list, true);
}

/**
 * A `Host` line: each whitespace-separated word is one pattern (a comma is an ordinary
 * character there, unlike in `Match host`), case-sensitive; a matching `!pattern` makes the
 * block inactive whatever else matched.
 */
export function hostLineMatches(host: string, patterns: readonly string[]): boolean {
  let active = false;
  for (const word of patterns) {
    const negated = word.startsWith('!');
    if (matchPattern(host, negated ? word.slice(1) : word)) {
      if (negated) return false;
      active = true;
    }
  }
  return active;
}

/** True for a `Host` word that names one host rather than a pattern (for the hosts tree). */
export function isConcreteHostName(word: string): boolean {
  return word !== '' && !word.startsWith('!') && !/[*?]/.test(word);
}

/**
 * ssh refuses a host name given on its command line that starts with `-` or holds shell
 * metacharacters, spaces or control characters (CVE-2023-51385: it reaches %h/%n in
 * ProxyCommand). Aliases are checked the same way.
 */
export function isValidHostArgument(s: string): boolean {
  return s !== '' && !s.startsWith('-') && !/['`"$\\;&<>|(){},\s\x00-\x1f\x7f]/.test(s);
}
