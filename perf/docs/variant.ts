// A child process that runs one in-process variant (pipeline or sharedb) and reports its
// result to the parent over IPC. Each variant gets a process of its own so that its heap
// and RSS are its own, and no variant's garbage is collected on another's clock.
import { answerOnce } from '../common/child';
import { PipelineOptions, runPipeline } from './pipeline';
import { ShareDbOptions, runShareDb } from './sharedb';

export type VariantCommand = ({ readonly variant: 'pipeline' } & PipelineOptions) | ({ readonly variant: 'sharedb' } & ShareDbOptions);

answerOnce((c: VariantCommand) => (c.variant === 'pipeline' ? runPipeline(c) : runShareDb(c)));
