// Listening TCP sockets from Linux's /proc/net/tcp and /proc/net/tcp6 (proc(5)): one line per
// socket, `local_address` as hex `ADDR:PORT`, state 0A = TCP_LISTEN. The address words are in
// the remote kernel's byte order; little-endian is assumed (x86, arm64, riscv: every sandbox seen).
// The text comes from the sandbox: malformed lines are skipped and the line count is bounded.

export interface ListeningSocket {
  readonly family: 4 | 6;
  /** Dotted IPv4 or full IPv6 (`::1` written out as `0:0:0:0:0:0:0:1`). */
  readonly address: string;
  readonly port: number;
  readonly uid: number;
  readonly inode: number;
}

const TCP_LISTEN = '0A';
export const MAX_PROC_LINES = 20_000;

export function parseProcNetTcp(text: string, family: 4 | 6): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  const lines = text.split('\n', MAX_PROC_LINES + 1);
  const addrHex = family === 4 ? 8 : 32;
  const line = new RegExp(`^\\s*\\d+:\\s+([0-9A-Fa-f]{${addrHex}}):([0-9A-Fa-f]{4})\\s+[0-9A-Fa-f]{${addrHex}}:[0-9A-Fa-f]{4}\\s+([0-9A-Fa-f]{2})\\s+\\S+\\s+\\S+\\s+\\S+\\s+(\\d+)\\s+\\d+\\s+(\\d+)`);
  for (const l of lines.slice(1, MAX_PROC_LINES + 1)) {
    const m = line.exec(l);
    if (!m || m[3].toUpperCase() !== TCP_LISTEN) continue;
    const port = parseInt(m[2], 16);
    if (port === 0) continue;
    out.push({ family, address: family === 4 ? ipv4(m[1]) : ipv6(m[1]), port, uid: Number(m[4]), inode: Number(m[5]) });
  }
  return out;
}

/** Listening ports, each once, lowest first (a port on 0.0.0.0 and :: is one port). */
export function listeningPorts(sockets: readonly ListeningSocket[]): number[] {
  return [...new Set(sockets.map((s) => s.port))].sort((a, b) => a - b);
}

/** True for addresses only the remote itself can reach (127/8, ::1) or all of them (0.0.0.0, ::). */
export function isLocalOrAny(s: ListeningSocket): boolean {
  return s.family === 4 ? s.address.startsWith('127.') || s.address === '0.0.0.0' : s.address === '0:0:0:0:0:0:0:1' || s.address === '0:0:0:0:0:0:0:0' || s.address.startsWith('0:0:0:0:0:ffff:7f');
}

/** `0100007F` (little-endian word) → 127.0.0.1 */
function ipv4(hex: string): string {
  const n = parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

/** Four little-endian 32-bit words → eight 16-bit groups. */
function ipv6(hex: string): string {
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (let b = 3; b >= 0; b--) bytes.push(parseInt(word.slice(b * 2, b * 2 + 2), 16));
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return groups.join(':');
}
