// The `sandbox` task type and "Run Command on Sandbox…" in the real editor: the exit code is
// the task's, a task past its timeoutSeconds fails and its remote process tree is gone (the
// sandbox is this machine: /proc shows what is left), and a problem matcher reads its output.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { addTestHost, removeTestHosts, TestHost } from './fsHosts';
import { ended } from './taskEvents';

const hostNode = (name: string) => ({ kind: 'host', host: { name, source: 'settings', enabled: true } });

function processesWith(marker: string): string[] {
  return fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .flatMap((pid) => {
      try {
        const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        return cmdline.includes(marker) ? [cmdline] : [];
      } catch {
        return [];
      }
    });
}

describe('sandbox tasks', function () {
  this.timeout(60000);
  let host: TestHost;

  before(async () => {
    host = await addTestHost('task-box');
  });
  after(async () => {
    await vscode.workspace.getConfiguration().update('tasks', undefined, vscode.ConfigurationTarget.Workspace);
    await removeTestHosts();
  });

  /** Tasks as tasks.json defines them (the workspace file's "tasks"), resolved by our provider. */
  async function configuredTask(label: string, definition: Record<string, unknown>, problemMatcher: string[] = []): Promise<vscode.Task> {
    await vscode.workspace.getConfiguration().update('tasks', { version: '2.0.0', tasks: [{ label, type: 'sandbox', ...definition, problemMatcher }] }, vscode.ConfigurationTarget.Workspace);
    // The task list is read again after the configuration change lands: ask until it has ours.
    for (let i = 0; i < 100; i++) {
      const task = (await vscode.tasks.fetchTasks({ type: 'sandbox' })).find((t) => t.name === label);
      if (task) return task;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`task ${label} never appeared`);
  }

  it('Run Command on Sandbox on a Hosts view host node runs the command and reports its exit code', async () => {
    const execution = await vscode.commands.executeCommand<vscode.TaskExecution>('sandboxExplorer.terminal.runCommand', hostNode(host.name), 'echo ran-$((6*7)); exit 7');
    assert.ok(execution, 'a task execution');
    assert.strictEqual(await ended(execution), 7);
  });

  it('Run Command on Sandbox with only the host node asks for the command (dismissed: nothing runs)', async () => {
    let settled = false;
    const asked = Promise.resolve(vscode.commands.executeCommand('sandboxExplorer.terminal.runCommand', hostNode(host.name))).finally(() => (settled = true));
    // No event says "the input box is shown": dismiss until the command ends.
    for (let i = 0; i < 200 && !settled; i++) {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.strictEqual(await asked, undefined);
  });

  it('a tasks.json task past its timeoutSeconds fails and its remote process tree is gone', async () => {
    const marker = `sleep 32${process.pid % 100}1`;
    const task = await configuredTask('times out', { host: host.name, command: `${marker} & ${marker}; wait`, timeoutSeconds: 1 });
    const execution = await vscode.tasks.executeTask(task);
    assert.strictEqual(await ended(execution), 124);
    for (let i = 0; i < 100 && processesWith(marker).length; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepStrictEqual(processesWith(marker), [], 'the command and its children were killed on the sandbox');
  });

  it('a problem matcher ($tsc) turns the output into a diagnostic on the sandbox file', async () => {
    const folder = host.folder('tsc');
    fs.mkdirSync(path.join(folder, 'src'));
    fs.writeFileSync(path.join(folder, 'src', 'a.ts'), 'let x: number = "s";\n');
    const task = await configuredTask('tsc', { host: host.name, cwd: folder, command: `echo "src/a.ts(1,5): error TS2322: Type 'string' is not assignable to type 'number'."; exit 2` }, ['$tsc']);
    const expected = host.uri(path.join(folder, 'src', 'a.ts'));
    const seen = new Promise<vscode.Uri[]>((resolve) => {
      const sub = vscode.languages.onDidChangeDiagnostics((e) => {
        const hits = e.uris.filter((u) => u.path.endsWith('/tsc-1/src/a.ts') || u.path.endsWith(`${path.basename(folder)}/src/a.ts`));
        if (!hits.length) return;
        sub.dispose();
        resolve(hits);
      });
    });
    const execution = await vscode.tasks.executeTask(task);
    assert.strictEqual(await ended(execution), 2);
    const [uri] = await seen;
    assert.strictEqual(uri.toString(), expected.toString());
    const [diagnostic] = vscode.languages.getDiagnostics(uri);
    assert.match(diagnostic.message, /TS2322|not assignable/);
    assert.strictEqual(diagnostic.range.start.line, 0);
    assert.strictEqual(diagnostic.range.start.character, 4);
  });
});
