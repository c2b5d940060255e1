// The websocket variants' client process: one process holding every socket of a variant.
// The host has 2 cores and the server wants most of them (its main thread and its writer
// thread); one client process with N sockets (the raw client batches each tick's frames
// into one write) costs the server less CPU than N processes would, and, for the token
// chain, keeps a hand-off between editors a function call instead of an extra IPC hop.
// It runs at a lower priority (the bench renices it), as the load clients of bench:chat do.
import { answerOnce } from '../common/child';
import { ChainOptions, runChain } from './token-chain';
import { ParallelOptions, runParallel } from './parallel-docs';

export type ClientCommand = ({ readonly variant: 'chain' } & ChainOptions) | ({ readonly variant: 'parallel' } & ParallelOptions);

answerOnce((c: ClientCommand) => (c.variant === 'chain' ? runChain(c) : runParallel(c)));
