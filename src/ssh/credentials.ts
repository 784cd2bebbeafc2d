// How the connection core asks for secrets. The vscode adapter implements this with
// input boxes and SecretStorage; tests implement it with closures. Values returned
// here are used for one authentication and never logged.

export interface PasswordRequest {
  readonly host: string;
  readonly user: string;
  /** 1 for the first ask; higher after a wrong answer. */
  readonly attempt: number;
}

export interface PassphraseRequest {
  readonly keyPath: string;
  readonly attempt: number;
}

export interface KeyboardInteractiveRequest {
  readonly host: string;
  readonly user: string;
  readonly name: string;
  readonly instructions: string;
  readonly prompts: ReadonlyArray<{ prompt: string; echo: boolean }>;
  readonly attempt: number;
}

export type SecretKind = { kind: 'password'; host: string; user: string } | { kind: 'passphrase'; keyPath: string };

export interface Credentials {
  /** A password, from storage or asked; undefined when the user cancels. */
  password(request: PasswordRequest): Promise<string | undefined>;
  /** A key's passphrase, from storage or asked; undefined when the user cancels. */
  passphrase(request: PassphraseRequest): Promise<string | undefined>;
  /** Answers to the server's prompts, in order; undefined when the user cancels. */
  keyboardInteractive(request: KeyboardInteractiveRequest): Promise<string[] | undefined>;
  /** The last secret given for this request was wrong: forget any stored copy. */
  rejected(secret: SecretKind): void;
  /** The last secret given for this request worked: the adapter may offer to keep it. */
  accepted(secret: SecretKind): void;
}

/** For hosts where only keys and the agent may be used (tests, batch mode). */
export const noInteractiveCredentials: Credentials = {
  password: async () => undefined,
  passphrase: async () => undefined,
  keyboardInteractive: async () => undefined,
  rejected: () => {},
  accepted: () => {},
};
