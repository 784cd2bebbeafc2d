// The SSH fallback (the gateway's configured SSH endpoint, used when its API cannot be reached)
// must not downgrade host key checking: whoever can reset the API connection could otherwise
// turn a platform-pinned host key into a first-use prompt. So the last host keys the platform
// pinned for each sandbox are remembered (public keys and fingerprints only, by derived host
// name, which never holds a `#token`), and the fallback requires them; without any it requires a
// known_hosts entry (no first-use prompt). Plain Node: `state` is globalState.
import { GatewayEndpoint } from '../common/hostEntry';

export interface PinState {
  get<T>(key: string, defaultValue: T): T;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

type Pins = NonNullable<GatewayEndpoint['pinnedHostKeys']>;

const PINS_KEY = 'sandboxExplorer.gatewayHostKeys';
const MAX_PER_KIND = 8;
const BLOB = /^[A-Za-z0-9+/]{1,16384}={0,2}$/;
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

function clean(raw: unknown): Pins | undefined {
  const r = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const pick = (v: unknown, re: RegExp) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && re.test(s)).slice(0, MAX_PER_KIND) : []);
  const keys = pick(r.keys, BLOB);
  const fingerprints = pick(r.fingerprints, FINGERPRINT);
  return keys.length || fingerprints.length ? { keys, fingerprints } : undefined;
}

function all(state: PinState): Record<string, unknown> {
  const v = state.get<unknown>(PINS_KEY, {});
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
}

/** The host keys the platform pinned last for `hostName` (a sandbox's derived host name). */
export function rememberedPins(state: PinState, hostName: string): Pins | undefined {
  return Object.hasOwn(all(state), hostName) ? clean(all(state)[hostName]) : undefined;
}

/** Keeps what the platform pinned now (nothing when it pinned nothing: an older pin stays). */
export async function rememberPins(state: PinState, hostName: string, pins: Pins | undefined): Promise<void> {
  const kept = clean(pins);
  if (!kept || JSON.stringify(kept) === JSON.stringify(rememberedPins(state, hostName))) return;
  await state.update(PINS_KEY, { ...all(state), [hostName]: kept });
}

/** The configured SSH endpoint for `hostName`, with its remembered pins, else requiring a known_hosts entry. */
export function fallbackEndpoint(state: PinState, hostName: string, base: Omit<GatewayEndpoint, 'pinnedHostKeys' | 'requireKnownHost'>): GatewayEndpoint {
  const pinned = rememberedPins(state, hostName);
  return pinned ? { ...base, pinnedHostKeys: pinned } : { ...base, requireKnownHost: true };
}
