// Local environment variables that may be forwarded to a remote command.
// Names that look secret are never sent, whatever the caller asks for.

const SECRET_NAME = [
  /(^|_)KEY$/i,
  /_KEYS?_/i,
  /TOKEN/i,
  /SECRET/i,
  /PASSWORD/i,
  /PASSWD/i,
  /PASSPHRASE/i,
  /CREDENTIAL/i,
  /^AWS_/i,
  /^AZURE_/i,
  /^GOOGLE_APPLICATION_CREDENTIALS$/i,
  /^GH_/i,
  /^GITHUB_/i,
  /^NPM_CONFIG__?AUTH/i,
  /^SSH_AUTH_SOCK$/i,
  /API_?KEY/i,
  /PRIVATE/i,
];

export function looksSecret(name: string): boolean {
  return SECRET_NAME.some((re) => re.test(name));
}

/** Drops secret-looking names and invalid names; returns what may be sent and what was withheld. */
export function filterEnvironment(env: Record<string, string | undefined>): { env: Record<string, string>; withheld: string[] } {
  const out: Record<string, string> = {};
  const withheld: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || looksSecret(name)) {
      withheld.push(name);
      continue;
    }
    out[name] = value;
  }
  return { env: out, withheld };
}
