// What an input box shows for one keyboard-interactive prompt. The server writes the name,
// instructions and prompt text, so it could pose as us ("Sandbox Explorer: key passphrase"):
// the title is ours and fixed, naming the destination (user token masked), and the server's
// words appear only quoted after "Server says:", on one line, without control characters.
import { displayDestination } from '../common/userToken';
import { KeyboardInteractiveRequest } from './credentials';

/** Characters of server text shown at most; the rest becomes "…". */
export const MAX_SERVER_TEXT = 200;

export interface PromptBox {
  readonly title: string;
  readonly prompt: string;
  readonly password: boolean;
  readonly placeHolder: string | undefined;
}

/**
 * Server text made safe to show: C0/C1 controls (escape sequences, newlines that would push our
 * words out of view) and bidirectional overrides (text that reads differently than it is) go,
 * whitespace runs become one space, and at most `max` characters remain.
 */
export function serverText(text: string, max = MAX_SERVER_TEXT): string {
  const clean = text
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...clean]; // by code point: never cut a surrogate pair in half
  return chars.length <= max ? clean : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/** The input box for prompt `index` of `request`. */
export function keyboardInteractiveBox(request: KeyboardInteractiveRequest, index: number): PromptBox {
  const p = request.prompts[index];
  const said = serverText([request.name, request.instructions, p.prompt].map((t) => serverText(t)).filter(Boolean).join(' — '));
  return {
    title: `Sandbox Explorer: sign-in to ${displayDestination(request.user, request.host, request.port)}`,
    prompt: said ? `Server says: “${said}”` : 'The server asks for an answer (it sent no prompt text).',
    password: !p.echo,
    placeHolder: request.prompts.length > 1 ? `${index + 1} of ${request.prompts.length}` : undefined,
  };
}
