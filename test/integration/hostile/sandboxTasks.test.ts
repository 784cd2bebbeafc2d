// A `sandbox` task that the sandbox writes into its own folder's .vscode/tasks.json runs on that
// sandbox only: naming another of the user's hosts must not run anything there (the window is
// trusted without asking, so nothing else stands in the way). Both hostile windows: the one on
// the sandbox folder and the local .code-workspace file that opens it.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { addTestHost, removeTestHosts } from '../fsHosts';
import { ended } from '../taskEvents';

const HOST = process.env.SBX_SANDBOX_HOST ?? 'local-sandbox';
const folder = process.env.SBX_HOSTILE_FOLDER ?? '';

/** The task the editor read from the sandbox's tasks.json (it reads the file again after a change: ask until it is there). */
async function sandboxTask(label: string, command: string): Promise<vscode.Task> {
  for (let i = 0; i < 150; i++) {
    const task = (await vscode.tasks.fetchTasks({ type: 'sandbox' })).find((t) => t.name === label && (t.definition as { command?: string }).command === command);
    if (task) return task;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the editor never listed the sandbox's task ${label}`);
}

describe('sandbox tasks from the sandbox\'s own tasks.json', function () {
  this.timeout(60_000);
  const tasksFile = path.join(folder, '.vscode', 'tasks.json');

  after(async () => {
    fs.rmSync(tasksFile, { force: true });
    await removeTestHosts();
  });

  it('run on that sandbox, and are refused (nothing runs) when they name another of the user\'s hosts', async () => {
    assert.ok(folder, 'the launcher passed the hostile folder');
    const other = await addTestHost('other-box');
    const ranHere = path.join(folder, `own-task-ran-${process.pid}`);
    const ranThere = path.join(other.sshd.root, 'hostile-task-ran');
    const own = `touch ${ranHere}`;
    const hop = `touch ${ranThere}`;
    fs.writeFileSync(
      tasksFile,
      JSON.stringify({ version: '2.0.0', tasks: [{ label: 'own', type: 'sandbox', host: HOST, command: own }, { label: 'hop', type: 'sandbox', host: other.name, command: hop }] }),
    );

    // The control: a task of the sandbox's folder does run on the sandbox itself.
    const ownRun = await vscode.tasks.executeTask(await sandboxTask('own', own));
    assert.strictEqual(await ended(ownRun), 0);
    assert.ok(fs.existsSync(ranHere), 'the task ran on its own sandbox');

    const hopRun = await vscode.tasks.executeTask(await sandboxTask('hop', hop));
    assert.strictEqual(await ended(hopRun), 1, 'refused');
    assert.ok(!fs.existsSync(ranThere), 'nothing ran on the other host');
    // The other host was never even connected to (its sshd logs each login).
    assert.match(other.sshd.log(), /Server listening on /);
    assert.doesNotMatch(other.sshd.log(), /Accepted publickey/);
  });
});
