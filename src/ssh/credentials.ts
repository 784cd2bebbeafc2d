// How the connection core asks for secrets. The vscode adapter implements this with
// input boxes and SecretStorage (see savedCredentials.ts); tests implement it with
// closures. Values returned here are used for one authentication and never logged.

/** Where a password or user token goes: saved secrets are only ever used for the same server. */
export interface SecretTarget {
  readonly host: string;
  readonly port: number;
  /** The configured user name (a `#token` in it is shown masked). */
  readonly user: string;
  /** SHA256 fingerprint of the host key verified for this connection, when known. */
  readonly hostKeyFingerprint?: string;
}

export interface PasswordRequest extends SecretTarget {
  /** 1 for the first ask; higher after a wrong answer. */
  readonly attempt: number;
}

/** The token a gateway expects after `#` in the user name (hosts with `userToken`). */
export type UserTokenRequest = SecretTarget;

export interface PassphraseRequest {
  readonly keyPath: string;
  readonly attempt: number;
}

export interface KeyboardInteractiveRequest {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly name: string;
  readonly instructions: string;
  readonly prompts: ReadonlyArray<{ prompt: string; echo: boolean }>;
  readonly attempt: number;
}

export type SecretKind = ({ kind: 'password' } & SecretTarget) | ({ kind: 'userToken' } & SecretTarget) | { kind: 'passphrase'; keyPath: string };

export interface Credentials {
  /** A password, from storage or asked; undefined when the user cancels. */
  password(request: PasswordRequest): Promise<string | undefined>;
  /** A key's passphrase, from storage or asked; undefined when the user cancels. */
  passphrase(request: PassphraseRequest): Promise<string | undefined>;
  /** Answers to the server's prompts, in order; undefined when the user cancels. */
  keyboardInteractive(request: KeyboardInteractiveRequest): Promise<string[] | undefined>;
  /** The user-name token, from storage or asked; undefined when the user cancels or none can be given. */
  userToken?(request: UserTokenRequest): Promise<string | undefined>;
  /** The last secret given for this request was wrong: forget any stored copy. */
  rejected(secret: SecretKind): void;
  /** The last secret given for this request worked: the adapter may offer to keep it. */
  accepted(secret: SecretKind): void;
}
