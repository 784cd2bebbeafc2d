// A sandbox becomes a host whose name is the authority of its sbx:// URIs. Sandbox ids may hold
// `#` (and other characters) that cannot be in a URI authority: `#` starts the fragment, so
// `sbx://odd#2.acme/…` would lose everything after it. The host name is therefore derived: the id
// lower-cased with anything outside [a-z0-9._-] replaced by `-`, plus a short hash of the real id
// when anything was replaced (so `a#b` and `a-b` stay two hosts), then `.<gateway>`. The real id
// is kept next to it (HostEntry.sandboxId) and is what the API and the SSH user name get.
import { createHash } from 'crypto';
import { isSafeId } from './api/validate';

export function sandboxHostName(gateway: string, id: string): string {
  const safe = id.toLowerCase().replace(/[^a-z0-9._-]/g, '-');
  const suffix = safe === id ? '' : `-${createHash('sha256').update(id).digest('hex').slice(0, 8)}`;
  return `${safe}${suffix}.${gateway.toLowerCase()}`;
}

/** A sandbox id the user may type (the API client checks it again as a path segment). */
export function checkSandboxId(id: string): string | undefined {
  if (id.length === 0) return 'Type the sandbox id, e.g. rs-abc123-default-x7k9m';
  if (id.length > 128) return 'At most 128 characters';
  if (!isSafeId(id)) return 'Only letters, digits and . _ @ # + - (not first: - or #; no "..")';
  return undefined;
}
