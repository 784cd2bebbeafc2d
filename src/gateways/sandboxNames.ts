// A sandbox becomes a host whose name is the authority of its sbx:// URIs. Sandbox ids may hold
// `#` (and other characters) that cannot be in a URI authority: `#` starts the fragment, so
// `sbx://odd#2.acme/…` would lose everything after it. The host name is therefore derived, and
// one-to-one: an id of only [a-z0-9-] is kept as it is; any other id is lower-cased with
// everything outside [a-z0-9-] replaced by `-`, plus `_` and a hash of the real id (`_` is in
// no kept id, so `a#b` and a literal `a-b-8187fc8f` stay two hosts); then `.<gateway>`. The part
// before the first `.` never holds a dot, so gateway `b.acme` + id `x` and gateway `acme` + id
// `x.b` stay two hosts too. The real id is kept next to it (HostEntry.sandboxId) and is what the
// API and the SSH user name get.
import { createHash } from 'crypto';
import { isSafeId } from './api/validate';

export function sandboxHostName(gateway: string, id: string): string {
  if (/^[a-z0-9-]+$/.test(id)) return `${id}.${gateway.toLowerCase()}`;
  const safe = id.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  return `${safe}_${createHash('sha256').update(id).digest('hex').slice(0, 12)}.${gateway.toLowerCase()}`;
}

/** A sandbox id the user may type (the API client checks it again as a path segment). */
export function checkSandboxId(id: string): string | undefined {
  if (id.length === 0) return 'Type the sandbox id, e.g. rs-abc123-default-x7k9m';
  if (id.length > 128) return 'At most 128 characters';
  if (!isSafeId(id)) return 'Only letters, digits and . _ @ # + - (not first: - or #; no "..")';
  // Added ids are kept in clear in the editor's state: an `id#apiKey` user name is not stored.
  if (/#[^#]{16,}/.test(id)) return 'The part after "#" looks like an API key; added ids are stored in clear, so type only the sandbox id';
  return undefined;
}
