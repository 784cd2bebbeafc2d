// Per-port attributes from settings, shaped like VS Code's own `remote.portsAttributes`:
// keys are a port (`3000`), a range (`40000-55000`) or a regular expression matched against
// the listening process's command line; plus a fallback for every other port. The values come
// from user settings, so they are validated here and bad entries are reported, not trusted.

export const AUTO_FORWARD_ACTIONS = ['notify', 'openBrowser', 'openBrowserOnce', 'openPreview', 'silent', 'ignore'] as const;
export type OnAutoForward = (typeof AUTO_FORWARD_ACTIONS)[number];

export interface PortAttributes {
  readonly label?: string;
  readonly onAutoForward?: OnAutoForward;
  readonly protocol?: 'http' | 'https';
  /** The local port must equal the remote one: fail instead of picking another. */
  readonly requireLocalPort?: boolean;
}

type Matcher =
  | { readonly kind: 'port'; readonly port: number; readonly key: string; readonly attributes: PortAttributes }
  | { readonly kind: 'range'; readonly from: number; readonly to: number; readonly key: string; readonly attributes: PortAttributes }
  | { readonly kind: 'command'; readonly pattern: RegExp; readonly key: string; readonly attributes: PortAttributes };

export interface PortAttributesMatch {
  readonly attributes: PortAttributes;
  /** The settings key that matched, or undefined for the fallback. */
  readonly key?: string;
}

/** Command lines are read from the remote (untrusted); a user regex runs over at most this much. */
const MAX_COMMAND_LINE = 4096;
const MAX_LABEL = 200;

export class PortAttributesMatcher {
  private constructor(
    private readonly matchers: readonly Matcher[],
    private readonly fallback: PortAttributes,
    /** One line per ignored key or value, for the log. */
    readonly problems: readonly string[],
  ) {}

  /** Builds a matcher from the raw setting values (any JSON); invalid entries are skipped and listed in `problems`. */
  static fromSettings(portsAttributes: unknown, otherPortsAttributes?: unknown): PortAttributesMatcher {
    const problems: string[] = [];
    const matchers: Matcher[] = [];
    if (portsAttributes !== undefined && !isPlainObject(portsAttributes)) problems.push('ports attributes: expected an object keyed by port, range or pattern');
    for (const [key, raw] of Object.entries(isPlainObject(portsAttributes) ? portsAttributes : {})) {
      const attributes = readAttributes(raw, key, problems);
      if (!attributes) continue;
      const k = key.trim();
      const range = /^(\d{1,5})\s*-\s*(\d{1,5})$/.exec(k);
      if (/^\d{1,5}$/.test(k)) {
        const port = Number(k);
        if (port < 1 || port > 65535) problems.push(`"${key}": port out of range`);
        else matchers.push({ kind: 'port', port, key, attributes });
      } else if (range) {
        const from = Number(range[1]);
        const to = Number(range[2]);
        if (from < 1 || to > 65535 || from > to) problems.push(`"${key}": range must be FROM-TO within 1-65535`);
        else matchers.push({ kind: 'range', from, to, key, attributes });
      } else {
        try {
          matchers.push({ kind: 'command', pattern: new RegExp(k), key, attributes });
        } catch (err) {
          problems.push(`"${key}": not a port, a range or a valid regular expression (${err instanceof Error ? err.message : String(err)})`);
        }
      }
    }
    const fallback = otherPortsAttributes === undefined ? {} : readAttributes(otherPortsAttributes, 'other ports', problems) ?? {};
    return new PortAttributesMatcher(matchers, fallback, problems);
  }

  /**
   * The attributes for a port: an exact port key first, then the narrowest range, then the
   * first pattern (in settings order) that matches the command line, else the fallback.
   */
  match(port: number, commandLine?: string): PortAttributesMatch {
    const exact = this.matchers.find((m) => m.kind === 'port' && m.port === port);
    if (exact) return { attributes: exact.attributes, key: exact.key };
    let best: Extract<Matcher, { kind: 'range' }> | undefined;
    for (const m of this.matchers) {
      if (m.kind === 'range' && port >= m.from && port <= m.to && (!best || m.to - m.from < best.to - best.from)) best = m;
    }
    if (best) return { attributes: best.attributes, key: best.key };
    if (commandLine !== undefined) {
      const text = commandLine.slice(0, MAX_COMMAND_LINE);
      const byCommand = this.matchers.find((m) => m.kind === 'command' && m.pattern.test(text));
      if (byCommand) return { attributes: byCommand.attributes, key: byCommand.key };
    }
    return { attributes: this.fallback };
  }

  /** True when some pattern needs the process command line (else it need not be read at all). */
  get needsCommandLine(): boolean {
    return this.matchers.some((m) => m.kind === 'command');
  }
}

function readAttributes(raw: unknown, key: string, problems: string[]): PortAttributes | undefined {
  if (!isPlainObject(raw)) {
    problems.push(`"${key}": expected an object with label, onAutoForward, protocol or requireLocalPort`);
    return undefined;
  }
  const out: { -readonly [K in keyof PortAttributes]: PortAttributes[K] } = {};
  for (const [name, value] of Object.entries(raw)) {
    switch (name) {
      case 'label':
        if (typeof value === 'string') out.label = value.slice(0, MAX_LABEL);
        else problems.push(`"${key}".label: expected a string`);
        break;
      case 'onAutoForward':
        if ((AUTO_FORWARD_ACTIONS as readonly unknown[]).includes(value)) out.onAutoForward = value as OnAutoForward;
        else problems.push(`"${key}".onAutoForward: expected one of ${AUTO_FORWARD_ACTIONS.join(', ')}`);
        break;
      case 'protocol':
        if (value === 'http' || value === 'https') out.protocol = value;
        else problems.push(`"${key}".protocol: expected "http" or "https"`);
        break;
      case 'requireLocalPort':
        if (typeof value === 'boolean') out.requireLocalPort = value;
        else problems.push(`"${key}".requireLocalPort: expected true or false`);
        break;
      default:
        // VS Code's own keys (elevateIfNeeded) are accepted and ignored, others reported.
        if (name !== 'elevateIfNeeded') problems.push(`"${key}".${name}: unknown attribute`);
    }
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
