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

export const userPage = (index: ActivityIndex, graph: Graph, viewer: string, actor: string, q: PageQuery): Page =>
  index.page([[actor, reachOf(viewer, actor, graph.ties(viewer, actor))]], q);
