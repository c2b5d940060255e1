// After a server has stopped: each document as the store rebuilds it (the newest usable
// snapshot and the ops after it, src/io/store loadDoc, replayed by domain/docs loadDoc),
// compared with the text it must hold. This is what a restarted server would serve.
import { loadDoc, snapshot } from '../../src/domain/docs';
import { loadConfig } from '../../src/io/config';
import { openStore } from '../../src/io/store';
import { firstDifference, plainText } from './trace';

export interface StoreCheck {
  readonly ok: boolean;
  readonly docs: number;
  readonly versions: readonly number[];
  readonly problems: readonly string[];
}

export const checkStore = async (file: string, expected: ReadonlyMap<string, string>): Promise<StoreCheck> => {
  const keep = loadConfig(process.env, []).docKeep;
  const store = await openStore(file);
  const problems: string[] = [];
  const versions: number[] = [];
  try {
    for (const [doc, text] of expected) {
      const stored = await store.loadDoc(doc, keep);
      const rebuilt = loadDoc(doc, stored.version, stored.content, stored.ops, keep);
      versions.push(rebuilt.version);
      const got = plainText(snapshot(rebuilt).content.ops);
      if (got !== text) problems.push(`${doc}: ${firstDifference(got, text)}`);
    }
  } finally {
    await store.close();
  }
  return { ok: problems.length === 0, docs: expected.size, versions, problems };
};
