// The document reads: what rebuilds a document in memory when it is first opened.
import type { Knex } from 'knex';
import Delta from 'quill-delta';
import { Applied } from '../../domain/docs';
import { StoredDoc } from '../../streams/docs';

interface OpRow {
  version: number;
  op: string;
  user: string;
  id: string | null;
}

export const docReads = (db: Knex) => ({
  /**
   * The newest snapshot at least `keep` versions old (so the ops kept in memory can all
   * be read back), and every op after it.
   */
  loadDoc: async (doc: string, keep: number): Promise<StoredDoc> => {
    const latest = await db('doc_ops').where({ doc }).max({ v: 'version' }).first();
    const upTo = Math.max(0, Number(latest?.v ?? 0) - keep);
    const snap = await db('doc_snapshots').where({ doc }).andWhere('version', '<=', upTo).orderBy('version', 'desc').first('version', 'content');
    const from = snap === undefined ? 0 : Number(snap.version);
    const rows: OpRow[] = await db('doc_ops').where({ doc }).andWhere('version', '>', from).orderBy('version').select('version', 'op', 'user', 'id');
    const ops = rows.map((r, i): Applied => {
      if (Number(r.version) !== from + i + 1) throw new Error(`doc ${doc}: version ${from + i + 1} is missing from the store`);
      const op = new Delta(JSON.parse(r.op).ops);
      return r.id === null ? { op, user: r.user } : { op, user: r.user, id: r.id };
    });
    return { version: from, content: snap === undefined ? new Delta() : new Delta(JSON.parse(snap.content).ops), ops };
  },
});
