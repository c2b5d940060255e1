// The two reads of the protocol as pages of the index: a user's timeline (their own
// activities and those of the users they follow, each as far as they may see them) and
// one user's feed (that user's activities the reader may see).
import { Graph } from './graph';
import { ActivityIndex, Page, PageQuery } from './timeline';
import { Reach, reachOf, timelineReach } from './visibility';

export const timelinePage = (index: ActivityIndex, graph: Graph, viewer: string, q: PageQuery): Page =>
  index.page(timelineSources(graph, viewer), q);

function* timelineSources(graph: Graph, viewer: string): Iterable<readonly [string, Reach]> {
  yield [viewer, 'all'];
  for (const actor of graph.following(viewer)) yield [actor, timelineReach(viewer, actor, graph.ties(viewer, actor))];
}

/**
 * Timelines read again and again: the lists a viewer's timeline merges are kept per
 * viewer (one array read per followed user instead of several map lookups) until the
 * viewer's ties change (Graph.version); at most `max` viewers, then they start over.
 */
export class Timelines {
  private readonly kept = new Map<string, { readonly version: number; readonly lists: readonly (readonly number[])[] }>();

  constructor(
    private readonly index: ActivityIndex,
    private readonly graph: Graph,
    private readonly max = 10_000,
  ) {}

  page(viewer: string, q: PageQuery): Page {
    const version = this.graph.version(viewer);
    let k = this.kept.get(viewer);
    if (k === undefined || k.version !== version) {
      const lists: (readonly number[])[] = [];
      for (const [actor, reach] of timelineSources(this.graph, viewer)) {
        const xs = this.index.listOf(actor, reach);
        if (xs !== undefined) lists.push(xs);
      }
      if (this.kept.size >= this.max) this.kept.clear();
      k = { version, lists };
      this.kept.set(viewer, k);
    }
    return this.index.merge(k.lists, q);
  }
}

export const userPage = (index: ActivityIndex, graph: Graph, viewer: string, actor: string, q: PageQuery): Page =>
  index.page([[actor, reachOf(viewer, actor, graph.ties(viewer, actor))]], q);
