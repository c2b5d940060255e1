// Geofences and device locations: one-shot requests, and fence events as a stream that
// subscribes again on every socket.
import { EMPTY, Observable, catchError, filter, finalize, firstValueFrom, ignoreElements, map, merge, share, switchMap, take, throwError } from 'rxjs';
import { Connection, Session } from './connection';
import { isConnectionLost } from './errors';
import { ImportOptions, ImportSummary, ImportedFence, Outcome, fencesOfGeoJson, outcomeOf, summarize } from '../../../src/domain/geo/geojson';
import { RusherError } from './errors';
import { Fence, FenceEvent, FenceInput, FenceSelection, LocationInput, ReplyTo, Request, Shape, ServerFrame } from './frames';

const selects = (selection: FenceSelection, fence: string) => selection === '*' || selection.includes(fence);

const toEvent = (f: FenceEvent): FenceEvent => ({ event: f.event, fence: f.fence, device: f.device, lat: f.lat, lng: f.lng, at: f.at });

export class Fences {
  private readonly streams = new Map<string, Observable<FenceEvent>>();

  constructor(private readonly connection: Connection) {}

  list(): Promise<readonly Fence[]> {
    return this.call({ type: 'fence.list' }).then((r) => r.fences);
  }

  /** Creates the fence, or replaces the one with the same `id`. */
  create(fence: FenceInput): Promise<Fence> {
    return this.call({ type: 'fence.create', fence }).then((r) => r.fence);
  }

  /**
   * Creates a fence of every Polygon and MultiPolygon of a GeoJSON file (see
   * src/domain/geo/geojson.ts), at most `window` requests at a time; resolves with what
   * became of each (created, repaired, refused with the server's reason) and the fences made.
   */
  async importGeoJson(json: unknown, options: ImportOptions, window = 8): Promise<{ summary: ImportSummary; created: Fence[] }> {
    const { fences, skipped } = fencesOfGeoJson(json, options);
    const outcomes: [ImportedFence, Outcome][] = [];
    const created: Fence[] = [];
    let next = 0;
    const worker = async () => {
      while (next < fences.length) {
        const f = fences[next++];
        try {
          const fence = await this.create({ name: f.name, shape: f.shape as Shape, repair: f.repair });
          created.push(fence);
          outcomes.push([f, outcomeOf(f, { shape: fence.shape })]);
        } catch (e) {
          if (!(e instanceof RusherError)) throw e;
          outcomes.push([f, outcomeOf(f, { error: { message: e.message, path: e.path } })]);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(window, fences.length) }, worker));
    outcomes.sort(([a], [b]) => a.feature - b.feature);
    return { summary: summarize(outcomes, skipped), created };
  }

  delete(id: string): Promise<void> {
    return this.call({ type: 'fence.delete', id }).then(() => undefined);
  }

  /** Reports where a device is; resolves once the server has committed it. */
  location(update: LocationInput): Promise<void> {
    return this.call({ type: 'location.update', ...update }).then(() => undefined);
  }

  /**
   * Enter/exit/dwell events of the selected fences (`'*'`: all, also fences created
   * later). Subscribers of one selection share one server subscription, made again on
   * every socket and dropped when the last of them unsubscribes.
   */
  events(selection: FenceSelection = '*'): Observable<FenceEvent> {
    const key = selection === '*' ? '*' : JSON.stringify([...selection].sort());
    let stream = this.streams.get(key);
    if (!stream) {
      stream = this.connection.session$.pipe(
        switchMap((s) => this.subscribeOn(s, selection)),
        finalize(() => {
          this.streams.delete(key);
          const s = this.connection.current();
          if (s) s.request({ type: 'fence.unsubscribe', fences: selection }).subscribe({ error: () => undefined });
        }),
        share(),
      );
      this.streams.set(key, stream);
    }
    return stream;
  }

  private subscribeOn(session: Session, selection: FenceSelection): Observable<FenceEvent> {
    const events$ = session.frames$.pipe(
      filter((f: ServerFrame): f is Extract<ServerFrame, { type: 'fence.event' }> => f.type === 'fence.event' && selects(selection, f.fence)),
      map(toEvent),
    );
    const subscribed$ = session.request({ type: 'fence.subscribe', fences: selection }).pipe(
      ignoreElements(),
      catchError((e: unknown) => (isConnectionLost(e) ? EMPTY : throwError(() => e))),
    );
    return merge(events$, subscribed$);
  }

  /** One request on the open socket (waiting for one if there is none). */
  private call<F extends Request>(frame: F): Promise<ReplyTo<F>> {
    return firstValueFrom(this.connection.session$.pipe(take(1), switchMap((s) => s.request(frame))));
  }
}
