import * as assert from 'assert';
import { shortText, targetText, viaText } from '../../../src/hosts/hostLabels';

describe('host labels', () => {
  it('writes user@host:port, IPv6 in brackets', () => {
    assert.strictEqual(targetText({ user: 'root', hostname: '127.0.0.1', port: 2222 }), 'root@127.0.0.1:2222');
    assert.strictEqual(targetText({ hostname: '::1', port: 22 }), '[::1]:22');
    assert.strictEqual(targetText({ hostname: 'box' }), 'box');
  });

  it('says through which jump hosts or proxy command, never the proxy command arguments', () => {
    assert.strictEqual(viaText({ hostname: 'h', proxyJump: ['bastion', 'me@hop:2200'] }), 'through jump hosts bastion → me@hop:2200');
    assert.strictEqual(viaText({ hostname: 'h', proxyCommand: 'cli ssh serve %n --token s3cret' }), 'through ProxyCommand cli …');
    assert.strictEqual(viaText({ hostname: 'h' }), undefined);
  });

  it('shortens a long error at a word boundary, first sentence only', () => {
    const reason = 'Could not reach 10.0.0.1:22: connection timed out after 30 seconds while waiting for the handshake. Check the VPN.';
    const short = shortText(reason, 60);
    assert.ok(short.length <= 60, short);
    assert.match(short, /…$/);
    assert.ok(reason.startsWith(short.slice(0, -1)), short);
    assert.ok(/\s/.test(reason[short.length - 1]) || /[\s:,]/.test(reason[short.length - 1] ?? ' '), `cut mid-word: "${short}"`);
    assert.strictEqual(shortText('Permission denied. Try another key.'), 'Permission denied.');
    assert.strictEqual(shortText('short'), 'short');
  });
});
