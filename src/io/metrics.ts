// Prometheus metrics (prom-client), one registry per server.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly connections: Gauge;
  readonly framesIn: Counter;
  readonly framesOut: Counter;
  readonly errors: Counter<'code'>;
  readonly batchSize: Histogram;
  readonly commitSeconds: Histogram;
}

export const createMetrics = (): Metrics => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    connections: new Gauge({ name: 'rusher_connections', help: 'Open WebSocket connections', registers: [registry] }),
    framesIn: new Counter({ name: 'rusher_frames_in_total', help: 'Frames received from clients', registers: [registry] }),
    framesOut: new Counter({ name: 'rusher_frames_out_total', help: 'Frames sent to single sockets (replies, acks, errors)', registers: [registry] }),
    errors: new Counter({ name: 'rusher_errors_total', help: 'Error frames sent, by code', labelNames: ['code'], registers: [registry] }),
    batchSize: new Histogram({
      name: 'rusher_commit_batch_size',
      help: 'Writes per committed batch',
      buckets: [1, 4, 16, 64, 256, 1024, 4096],
      registers: [registry],
    }),
    commitSeconds: new Histogram({
      name: 'rusher_commit_seconds',
      help: 'Time to commit one batch',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
  };
};

/** The store's batch writer, measured (batch size, commit time) and logged when it fails. */
export const measuredWrite =
  <W, R>(write: (batch: readonly W[]) => Promise<R>, metrics: Metrics, onError: (e: unknown, size: number) => void) =>
  async (batch: readonly W[]): Promise<R> => {
    const end = metrics.commitSeconds.startTimer();
    metrics.batchSize.observe(batch.length);
    try {
      return await write(batch);
    } catch (e) {
      onError(e, batch.length);
      throw e;
    } finally {
      end();
    }
  };
