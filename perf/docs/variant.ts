// A child process that runs one in-process variant (pipeline or sharedb) and reports its
// result to the parent over IPC. Each variant gets a process of its own so that its heap
// and RSS are its own, and no variant's garbage is collected on another's clock.
import { PipelineOptions, runPipeline } from './pipeline';
import { ShareDbOptions, runShareDb } from './sharedb';

export type VariantCommand = ({ readonly variant: 'pipeline' } & PipelineOptions) | ({ readonly variant: 'sharedb' } & ShareDbOptions);
export type VariantReply = { readonly ok: true; readonly result: Record<string, unknown> } | { readonly ok: false; readonly error: string };

const reply = (m: VariantReply) =>
  new Promise<void>((resolve) => {
    if (process.send) process.send(m, () => resolve());
    else {
      process.stdout.write(JSON.stringify(m) + '\n');
      resolve();
    }
  });

process.once('message', (c: VariantCommand) => {
  const run = c.variant === 'pipeline' ? runPipeline(c) : runShareDb(c);
  run
    .then((result) => reply({ ok: true, result: { ...result } }))
    .catch((e: Error) => reply({ ok: false, error: e.stack ?? String(e) }))
    // Exit rather than wait for handles (a metrics timer, a closing thread) to end.
    .then(() => process.exit(0));
});
