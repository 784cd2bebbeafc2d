// What the Keys view shows for each key: the files in ~/.ssh, then the agent's keys that have
// no file there, each with where it is loaded and which hosts last logged in with it.
import * as path from 'path';
import { AgentKey } from '../ssh/agent';
import { keyTypeLabel } from '../ssh/hostKeys/keyBlob';
import { LocalPublicKey } from '../ssh/keys/localKeys';

export type KeyRow =
  | { readonly kind: 'localKey'; readonly key: LocalPublicKey; readonly inAgent: boolean; readonly usedBy: readonly string[] }
  | { readonly kind: 'agentKey'; readonly key: AgentKey; readonly usedBy: readonly string[] };

export function keyRows(local: readonly LocalPublicKey[], agent: readonly AgentKey[], usedBy: (fingerprint: string) => string[]): KeyRow[] {
  const inAgent = new Set(agent.map((k) => k.fingerprint));
  const files = new Set(local.map((k) => k.fingerprint));
  return [
    ...local.map((key): KeyRow => ({ kind: 'localKey', key, inAgent: inAgent.has(key.fingerprint), usedBy: usedBy(key.fingerprint) })),
    ...agent.filter((key) => !files.has(key.fingerprint)).map((key): KeyRow => ({ kind: 'agentKey', key, usedBy: usedBy(key.fingerprint) })),
  ];
}

/** The row's label: the file's name, or the agent key's comment (its fingerprint when it has none). */
export function keyRowLabel(row: KeyRow): string {
  return row.kind === 'localKey' ? path.basename(row.key.path, '.pub') : row.key.comment || row.key.fingerprint;
}

/** Type, the most recent host that logged in with it ("+N" for more), where it is loaded, comment: the useful part first, as the row is cut. */
export function keyRowDescription(row: KeyRow): string {
  const parts = [keyTypeLabel(row.key.keyType)];
  if (row.usedBy.length) parts.push(`last used on ${row.usedBy[0]}${row.usedBy.length > 1 ? ` +${row.usedBy.length - 1}` : ''}`);
  if (row.kind === 'agentKey') parts.push('in agent only');
  else if (row.inAgent) parts.push('in agent');
  if (row.kind === 'localKey' && row.key.comment) parts.push(row.key.comment);
  return parts.join(' · ');
}
