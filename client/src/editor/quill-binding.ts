// Binds a Quill editor to a Rusher document: user edits go to the doc, others' ops
// and reloads come back into the editor.
import Quill from 'quill';
import type History from 'quill/modules/history';
import Delta from 'quill-delta';
import type { Doc } from '../rusher';

const endsWithNewline = (content: Delta): boolean => {
  const last = content.ops.at(-1);
  return typeof last?.insert === 'string' && last.insert.endsWith('\n');
};

export const bindQuill = (quill: Quill, doc: Doc): (() => void) => {
  const show = (content: Delta) => {
    quill.setContents(content, 'silent');
    // The undo stack holds changes to the content just replaced.
    (quill.getModule('history') as History).clear();
    quill.enable();
    // Quill's document always ends in a newline; the shared one must too, or a format
    // on the last line would retain past the end of the server's copy.
    if (!endsWithNewline(content)) doc.edit(new Delta().retain(content.length()).insert('\n'));
  };
  quill.disable();
  if (doc.content) show(doc.content);
  const changes = doc.changes$.subscribe((c) => (c.kind === 'reset' ? show(c.content) : quill.updateContents(c.delta, 'api')));
  const onText = (delta: Delta, _before: Delta, source: string) => {
    if (source === 'user') doc.edit(delta);
  };
  const onEditor = (name: string, range: unknown) => {
    if (name === 'selection-change' && range) doc.cursor(range as { index: number; length: number });
  };
  quill.on('text-change', onText);
  quill.on('editor-change', onEditor);
  return () => {
    changes.unsubscribe();
    quill.off('text-change', onText);
    quill.off('editor-change', onEditor);
  };
};
