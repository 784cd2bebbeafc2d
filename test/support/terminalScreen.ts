// What a sandbox pseudoterminal shows, rendered by a real terminal emulator (xterm.js
// headless): tests assert the screen, and wait on the terminal's own writes (a deadline only
// turns "never appeared" into a failure that prints the screen).
import { Terminal } from '@xterm/headless';

interface Writer {
  onDidWrite(listener: (data: string) => void): { dispose(): void };
}

export class TerminalScreen {
  readonly term: Terminal;
  private readonly waiters = new Set<() => void>();
  private sub: { dispose(): void };

  constructor(source: Writer, columns = 80, rows = 24) {
    this.term = new Terminal({ cols: columns, rows, scrollback: 1000, allowProposedApi: true });
    this.sub = source.onDidWrite((data) => this.term.write(data, () => this.waiters.forEach((w) => w())));
  }

  /** Every line of the buffer (scrollback included), right-trimmed, joined with \n. */
  text(): string {
    const buffer = this.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n').replace(/\n+$/, '');
  }

  /** Resolves with the screen once `test` holds; rejects after `ms` with what was on screen. */
  waitFor(test: RegExp | ((text: string) => boolean), what: string, ms = 10_000): Promise<string> {
    const holds = () => (typeof test === 'function' ? test(this.text()) : test.test(this.text()));
    if (holds()) return Promise.resolve(this.text());
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!holds()) return;
        done();
        resolve(this.text());
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`terminal never showed ${what}; screen:\n${this.text()}`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  /**
   * Records each OSC 633 (shell integration) sequence as the editor's terminal meets it: its
   * kind (A, B, C, D, E, P), its text, the cursor column and the line's text up to the cursor. VS Code
   * reads a command line from B's position, so a B that arrives before its prompt is drawn breaks it.
   */
  recordShellMarks(): { kind: string; data: string; x: number; before: string }[] {
    const marks: { kind: string; data: string; x: number; before: string }[] = [];
    this.term.parser.registerOscHandler(633, (data) => {
      const buffer = this.term.buffer.active;
      const line = buffer.getLine(buffer.baseY + buffer.cursorY)?.translateToString(false) ?? '';
      marks.push({ kind: data.split(';')[0], data, x: buffer.cursorX, before: line.slice(0, buffer.cursorX) });
      return false;
    });
    return marks;
  }

  /** Resolves once `count` marks of `kind` were recorded; rejects after `ms`. */
  async waitForMarks(marks: { kind: string }[], kind: string, count: number, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    // Marks are recorded as the terminal parses: poll, bounded.
    while (marks.filter((m) => m.kind === kind).length < count) {
      if (Date.now() > deadline) throw new Error(`never saw ${count} OSC 633 ${kind}: ${JSON.stringify(marks)}\nscreen:\n${this.text()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  resize(columns: number, rows: number): void {
    this.term.resize(columns, rows);
  }

  dispose(): void {
    this.sub.dispose();
    this.term.dispose();
  }
}

type ShellMark = { kind: string; data: string; x: number; before: string };

/**
 * Runs `drop` (a dropped connection), waits until the pseudoterminal opened its channel again
 * and the re-attached shell's prompt was marked once more (one more B); the marks since the drop.
 */
export async function marksAcrossDrop(screen: TerminalScreen, pty: { onDidOpenChannel(listener: () => void): unknown }, marks: ShellMark[], drop: () => void): Promise<ShellMark[]> {
  const before = marks.length;
  const bs = marks.filter((m) => m.kind === 'B').length;
  const reopened = new Promise<void>((resolve) => pty.onDidOpenChannel(resolve));
  drop();
  await reopened;
  await screen.waitForMarks(marks, 'B', bs + 1);
  return marks.slice(before);
}
