// Bundled into every bench client: tells the runner whether ssh2 found its native addon.

/** True if ssh2 loaded sshcrypto.node; the shipped bundle must say false. */
export function nativeAddonLoaded(): boolean {
  return !!require('ssh2/lib/protocol/crypto.js').bindingAvailable;
}
