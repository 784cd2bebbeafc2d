// The `sandboxExplorer.gateways` setting, validated (plain Node). A gateway entry picks where a
// token is sent and which hosts are connected to, so it is read from user settings only
// (src/editor/settings.ts) and every field is checked here before use.
import { checkBaseUrl } from './api/gatewayClient';

export interface GatewayConfig {
  /** Group name in the Hosts view; part of each sandbox's host name. */
  readonly name: string;
  /** The checked REST base URL (https, or http to loopback), without a trailing slash. */
  readonly baseUrl: string;
  /** Where to connect when the API cannot be reached (the sandbox id is the user name). */
  readonly sshHost?: string;
  readonly sshPort?: number;
  /** Bounds the API lookup and the SSH login (a paused sandbox resumes on connect). */
  readonly timeoutSeconds: number;
}

export const DEFAULT_GATEWAY_TIMEOUT_SECONDS = 120;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const HOST = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;

/** The usable entries; each unusable one is reported through `warn` (once per read) and skipped. */
export function gatewaysFromSettings(raw: readonly unknown[], warn: (message: string) => void): GatewayConfig[] {
  const out: GatewayConfig[] = [];
  for (const item of raw) {
    const r = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
    const name = typeof r.name === 'string' ? r.name.trim() : '';
    if (!NAME.test(name)) {
      warn(`Ignoring a sandboxExplorer.gateways entry: "name" must be letters, digits, ".", "_" or "-" (got ${JSON.stringify(String(r.name ?? '')).slice(0, 80)}).`);
      continue;
    }
    if (out.some((g) => g.name.toLowerCase() === name.toLowerCase())) {
      warn(`Ignoring the second sandboxExplorer.gateways entry named "${name}".`);
      continue;
    }
    let baseUrl: string;
    try {
      baseUrl = checkBaseUrl(typeof r.url === 'string' ? r.url.trim() : '').toString().replace(/\/+$/, '');
    } catch (err) {
      warn(`Ignoring gateway "${name}": ${(err as Error).message}`);
      continue;
    }
    const sshHost = typeof r.sshHost === 'string' && HOST.test(r.sshHost.trim()) ? r.sshHost.trim() : undefined;
    const sshPort = typeof r.sshPort === 'number' && Number.isInteger(r.sshPort) && r.sshPort > 0 && r.sshPort < 65536 ? r.sshPort : undefined;
    const t = r.timeoutSeconds;
    const timeoutSeconds = typeof t === 'number' && Number.isFinite(t) ? Math.min(900, Math.max(5, Math.round(t))) : DEFAULT_GATEWAY_TIMEOUT_SECONDS;
    out.push({ name, baseUrl, sshHost, sshPort, timeoutSeconds });
  }
  return out;
}
