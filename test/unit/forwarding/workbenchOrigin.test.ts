import * as assert from 'assert';
import { opensOnWorkbenchOrigin, UriParts } from '../../../src/forwarding/workbenchOrigin';

const uri = (text: string): UriParts => {
  const u = new URL(text);
  return { scheme: u.protocol.replace(/:$/, ''), authority: u.host, path: u.pathname };
};

describe('Open in Browser: the workbench origin', () => {
  const asked = uri('http://localhost:3000/');

  it('a local port the editor leaves alone (desktop) keeps its own origin', () => {
    assert.strictEqual(opensOnWorkbenchOrigin(asked, uri('http://localhost:3000/'), uri('vscode://sandbox-explorer/')), false);
    assert.strictEqual(opensOnWorkbenchOrigin(asked, uri('http://LOCALHOST:3000/'), undefined), false);
  });

  it("code-server's proxy on the editor's own address is the workbench origin", () => {
    const workbench = uri('https://code.example.com/callback');
    assert.strictEqual(opensOnWorkbenchOrigin(asked, uri('https://code.example.com/proxy/3000/'), workbench), true);
    assert.strictEqual(opensOnWorkbenchOrigin(asked, uri('https://code.example.com/absproxy/3000/'), workbench), true);
    // Any path on the workbench's authority runs as the workbench.
    assert.strictEqual(opensOnWorkbenchOrigin(asked, uri('https://code.example.com/some/other/'), workbench), true);
    // Workbench origin unknown: the proxy path gives it away.
    assert.strictEqual(opensOnWorkbenchOrigin(asked, uri('https://code.example.com/proxy/3000/'), undefined), true);
  });

  it('a port-per-subdomain proxy (another origin) is not the workbench origin', () => {
    assert.strictEqual(opensOnWorkbenchOrigin(asked, uri('https://3000.code.example.com/'), uri('https://code.example.com/')), false);
  });
});
