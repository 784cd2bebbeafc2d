import * as assert from 'assert';
import { KeyboardInteractiveRequest } from '../../../src/ssh/credentials';
import { keyboardInteractiveBox, MAX_SERVER_TEXT, serverText } from '../../../src/ssh/keyboardInteractivePrompt';

function request(over: Partial<KeyboardInteractiveRequest> = {}): KeyboardInteractiveRequest {
  return { host: 'box.example', port: 2222, user: 'sbx-1#secret-token', name: '', instructions: '', prompts: [{ prompt: 'Password: ', echo: false }], attempt: 1, ...over };
}

describe('keyboard-interactive prompts: the server\'s words are quoted, never our title', () => {
  it('a server posing as the key passphrase box gets a fixed title naming the masked destination and is quoted as the server', () => {
    const box = keyboardInteractiveBox(request({ name: 'Sandbox Explorer: key passphrase', instructions: '', prompts: [{ prompt: 'Passphrase for ~/.ssh/id_ed25519', echo: false }] }), 0);
    assert.strictEqual(box.title, 'Sandbox Explorer: sign-in to sbx-1#…@box.example:2222');
    assert.strictEqual(box.prompt, 'Server says: “Sandbox Explorer: key passphrase — Passphrase for ~/.ssh/id_ed25519”');
    assert.ok(!`${box.title}${box.prompt}`.includes('secret-token'), 'the user token never shows');
    assert.strictEqual(box.password, true);
    assert.strictEqual(box.placeHolder, undefined);
  });

  it('control characters, escape sequences, newlines and bidi overrides are removed, whitespace collapsed', () => {
    assert.strictEqual(serverText('Enter\r\n\tyour\u001b[2J code\u0007\u009b\u202eabc\u2066  '), 'Enter your [2J code abc');
    const box = keyboardInteractiveBox(request({ instructions: 'line one\nline two', prompts: [{ prompt: 'Code:', echo: true }, { prompt: '', echo: false }] }), 1);
    assert.strictEqual(box.prompt, 'Server says: “line one line two”');
    assert.strictEqual(box.password, true);
    assert.strictEqual(box.placeHolder, '2 of 2');
    assert.strictEqual(keyboardInteractiveBox(request({ prompts: [{ prompt: '\n\u0000', echo: true }] }), 0).prompt, 'The server asks for an answer (it sent no prompt text).');
  });

  it(`server text is cut to ${MAX_SERVER_TEXT} characters (by code point) with an ellipsis`, () => {
    const long = serverText('x'.repeat(10_000));
    assert.strictEqual([...long].length, MAX_SERVER_TEXT);
    assert.ok(long.endsWith('…'));
    const emoji = serverText('😀'.repeat(300));
    assert.strictEqual([...emoji].length, MAX_SERVER_TEXT);
    assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(emoji), 'no half surrogate pair');
    const box = keyboardInteractiveBox(request({ name: 'n'.repeat(5000), instructions: 'i'.repeat(5000) }), 0);
    assert.ok(box.prompt.length < MAX_SERVER_TEXT + 20, `${box.prompt.length} characters`);
    assert.strictEqual(serverText('short'), 'short');
  });
});
