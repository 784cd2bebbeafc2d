// How a host is described in the Hosts view, the status bar and messages (plain Node).
// Every `user@host:port` shown to the user comes from targetText, so what it shows of a
// user name (sandbox gateways put tokens there) is decided in one place.
import * as net from 'net';
import { displayUser } from '../common/userToken';
import { ConnectionState } from '../ssh/hostConnection';

export interface HostTarget {
  readonly user?: string;
  readonly hostname: string;
  readonly port?: number;
  /** Jump hosts, outermost first. */
  readonly proxyJump?: readonly string[];
  readonly proxyCommand?: string;
}

/** `user@host:port`; an IPv6 address in brackets when a port follows. */
export function targetText(target: HostTarget): string {
  const host = target.port && net.isIPv6(target.hostname) ? `[${target.hostname}]` : target.hostname;
  return `${target.user ? `${displayUser(target.user)}@` : ''}${host}${target.port ? `:${target.port}` : ''}`;
}

/**
 * How the connection is made besides plain TCP, or undefined. Only the first word of a
 * ProxyCommand is shown: its arguments may hold tokens.
 */
export function viaText(target: HostTarget): string | undefined {
  if (target.proxyJump?.length) return `through ${target.proxyJump.length === 1 ? 'jump host' : 'jump hosts'} ${target.proxyJump.join(' → ')}`;
  if (target.proxyCommand) return `through ProxyCommand ${target.proxyCommand.trim().split(/\s+/)[0]} …`;
  return undefined;
}

export const STATE_WORDS: Record<ConnectionState, string> = {
  disconnected: 'disconnected',
  connecting: 'connecting',
  connected: 'connected',
  reconnecting: 'reconnecting',
  failed: 'failed',
};

/**
 * A line short enough for a tree row or the status bar: the first sentence, cut at a word
 * boundary with "…" when still longer than `max`. The whole text goes in the tooltip.
 */
export function shortText(text: string, max = 60): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const sentence = /^(.+?[.!?])(?:\s|$)/.exec(oneLine)?.[1] ?? oneLine;
  if (sentence.length <= max) return sentence;
  const cut = sentence.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 3 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '')}…`;
}
