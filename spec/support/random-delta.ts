// Random Quill edits for convergence tests: inserts (text and embeds), deletes and
// formatting, as a user of a rich-text editor makes them.
import Delta, { AttributeMap } from 'quill-delta';
import { Rng, int, pick } from './random';

const randomFormats = (rng: Rng, allowNull: boolean): AttributeMap | undefined => {
  if (rng() < 0.5) return undefined;
  const out: AttributeMap = {};
  const choices: [string, readonly (string | number | boolean)[]][] = [['bold', [true]], ['color', ['red', 'blue']], ['header', [1, 2]]];
  for (const [key, values] of choices) {
    if (rng() < 0.5) out[key] = allowNull && rng() < 0.4 ? null : pick(rng, values);
  }
  return out;
};

/** One local edit of a document of `length`: an insert, a delete or a format, now and then two. */
export const randomEdit = (rng: Rng, length: number): Delta => {
  const edit = new Delta();
  let pos = 0;
  for (let n = rng() < 0.2 ? 2 : 1; n > 0; n--) {
    const gap = int(rng, 0, length - pos);
    edit.retain(gap);
    pos += gap;
    const left = length - pos;
    const r = rng();
    if (r < 0.5 || left === 0) edit.insert(rng() < 0.05 ? { image: 'i.png' } : pick(rng, ['a', 'bc', 'def', '\n', 'xyz ']), randomFormats(rng, false));
    else if (r < 0.8) {
      const count = int(rng, 1, Math.min(left, 6));
      edit.delete(count);
      length -= count;
    } else {
      const count = int(rng, 1, Math.min(left, 10));
      edit.retain(count, randomFormats(rng, true) ?? { bold: null });
      pos += count;
    }
  }
  return edit;
};

