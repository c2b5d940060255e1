// The inbound stream split by feature, once: each frame goes to the one pipeline the
// protocol's frame table names (`featureOf`), and socket lifecycle events go to every
// pipeline, since each keeps its own per-socket state.
import { Observable, Subject, Subscription } from 'rxjs';
import { Feature, featureOf } from '../domain/protocol';
import { Inbound } from './effects';

export type PipelineFeature = Exclude<Feature, 'gateway'>;
const PIPELINES: readonly PipelineFeature[] = ['chat', 'docs', 'geo'];

export interface ByFeature {
  readonly inputs: { readonly [F in PipelineFeature]: Observable<Inbound> };
  /** Starts the flow: call it once every pipeline is subscribed, so none misses an event. */
  readonly connect: () => Subscription;
}

export const byFeature = (inbound$: Observable<Inbound>): ByFeature => {
  const subjects = new Map(PIPELINES.map((f) => [f, new Subject<Inbound>()] as const));
  const all = [...subjects.values()];
  const inputs = Object.fromEntries(PIPELINES.map((f) => [f, subjects.get(f)!.asObservable()])) as ByFeature['inputs'];
  return {
    inputs,
    connect: () =>
      inbound$.subscribe({
        next: (e) => {
          if (e.kind !== 'frame') for (const s of all) s.next(e);
          else subjects.get(featureOf(e.frame.type) as PipelineFeature)?.next(e);
        },
        error: (e) => all.forEach((s) => s.error(e)),
        complete: () => all.forEach((s) => s.complete()),
      }),
  };
};
