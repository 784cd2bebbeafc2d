// Logging seam: ssh/ and fs/ log through this interface; extension.ts plugs in
// the LogOutputChannel. Never pass secrets (passwords, passphrases, tokens, env values).

export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string | Error): void;
}

export const nullLogger: Logger = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** A logger that prefixes every line, e.g. with a host name. */
export function prefixed(logger: Logger, prefix: string): Logger {
  return {
    trace: (m) => logger.trace(`[${prefix}] ${m}`),
    debug: (m) => logger.debug(`[${prefix}] ${m}`),
    info: (m) => logger.info(`[${prefix}] ${m}`),
    warn: (m) => logger.warn(`[${prefix}] ${m}`),
    error: (m) => logger.error(`[${prefix}] ${m instanceof Error ? m.message : m}`),
  };
}
