// Where "Open in Browser" would take the user. In a browser-based editor (code-server) the
// editor maps http://localhost:<port>/ to its own proxy, https://<editor>/proxy/<port>/: the
// sandbox's page then runs on the workbench's own origin, and its JavaScript could act as the
// user in the editor (read files, run commands). Such a URL is never opened automatically, and
// opened by hand only after a warning. Plain data in, plain answer out (no `vscode` here).

export interface UriParts {
  readonly scheme: string;
  readonly authority: string;
  readonly path: string;
}

/**
 * True when `external` (what the editor mapped `asked` to) is served from the workbench's origin
 * (`workbench`, when known) or through an editor proxy path on another authority than the one asked.
 */
export function opensOnWorkbenchOrigin(asked: UriParts, external: UriParts, workbench?: Pick<UriParts, 'scheme' | 'authority'>): boolean {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  // Not rewritten: the page keeps its own origin (localhost:<port>).
  if (same(external.scheme, asked.scheme) && same(external.authority, asked.authority)) return false;
  if (workbench && same(external.scheme, workbench.scheme) && same(external.authority, workbench.authority)) return true;
  return /^\/(abs)?proxy\//i.test(external.path);
}
