// The child side of a bench's forked process: take one command over IPC, run it, send
// back the result or the error, then exit (rather than wait for handles such as a
// metrics timer or a closing thread to end). Run by hand (no IPC), it prints the reply.
export type ChildReply = { readonly ok: true; readonly result: Record<string, unknown> } | { readonly ok: false; readonly error: string };

const reply = (m: ChildReply) =>
  new Promise<void>((resolve) => {
    if (process.send) process.send(m, () => resolve());
    else {
      process.stdout.write(JSON.stringify(m) + '\n');
      resolve();
    }
  });

export const answerOnce = <C>(run: (command: C) => Promise<object>): void => {
  process.once('message', (c: C) =>
    run(c)
      .then((result) => reply({ ok: true, result: { ...result } }))
      .catch((e: Error) => reply({ ok: false, error: e.stack ?? String(e) }))
      .then(() => process.exit(0)),
  );
};
