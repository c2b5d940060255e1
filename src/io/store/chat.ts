// The chat reads: history pages, and the rooms' seq and recent ids that rebuild memory at start.
import type { Knex } from 'knex';
import { Message, Original } from '../../domain/chat';
import { HistoryQuery, StoredRoom } from '../../streams/chat';

export const chatReads = (db: Knex) => ({
  history: async ({ room, after, upTo, before, limit }: HistoryQuery): Promise<Message[]> => {
    const q = db<Message>('messages').where({ room }).orderBy('seq', 'desc').limit(limit);
    if (after !== undefined) q.andWhere('seq', '>', after);
    if (upTo !== undefined) q.andWhere('seq', '<=', upTo);
    if (before !== undefined) q.andWhere('seq', '<', before);
    const rows = await q.select('room', 'seq', 'id', 'user', 'text', 'at');
    return rows.reverse().map((r) => ({ ...r, at: Number(r.at) }));
  },

  rooms: async (dedupeWindow: number): Promise<Map<string, StoredRoom>> => {
    const result = new Map<string, { seq: number; ids: [string, Original][] }>();
    const seqs: { room: string; seq: number }[] = await db('messages').select('room').max({ seq: 'seq' }).groupBy('room');
    for (const r of seqs) result.set(r.room, { seq: Number(r.seq), ids: [] });
    const recent = await db
      .select('room', 'id', 'seq', 'at')
      .from(db.raw('(select room, id, seq, at, row_number() over (partition by room order by seq desc) as n from messages) as recent'))
      .where('n', '<=', dedupeWindow)
      .orderBy([{ column: 'room' }, { column: 'seq' }]);
    for (const r of recent) result.get(r.room)?.ids.push([r.id, { seq: Number(r.seq), at: Number(r.at) }]);
    return result;
  },
});
