// Others' cursors and selections drawn over the editor, in their colours.
import Quill from 'quill';
import { useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import type { RemoteCursor } from '../rusher';
import { colorFor, softColorFor } from '../app/colors';

interface Box {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** One box a line: a selection over several lines is not one rectangle. */
const selectionBoxes = (quill: Quill, index: number, length: number): Box[] =>
  quill.getLines(index, length).flatMap((line) => {
    const start = quill.getIndex(line);
    const from = Math.max(index, start);
    const to = Math.min(index + length, start + line.length() - 1);
    const b = to > from ? quill.getBounds(from, to - from) : null;
    return b ? [b] : [];
  });

export const RemoteCursors = ({ quill, cursors }: { quill: Quill; cursors: ReadonlyMap<string, RemoteCursor> }) => {
  // Positions depend on layout: redraw when the text, the scroll or the size changes.
  const [, redraw] = useState(0);
  useEffect(() => {
    const again = () => redraw((n) => n + 1);
    quill.on('editor-change', again);
    quill.root.addEventListener('scroll', again);
    window.addEventListener('resize', again);
    return () => {
      quill.off('editor-change', again);
      quill.root.removeEventListener('scroll', again);
      window.removeEventListener('resize', again);
    };
  }, [quill]);

  const end = quill.getLength() - 1;
  return createPortal(
    <div className="remote-cursors" aria-hidden="true">
      {[...cursors.values()].map(({ user, range }) => {
        const index = Math.min(range.index, end);
        const length = Math.min(range.length, end - index);
        const caret = quill.getBounds(index + length, 0);
        if (!caret) return null;
        return (
          <div key={user} className="remote-cursor" data-user={user}>
            {length > 0 &&
              selectionBoxes(quill, index, length).map((b, i) => (
                <span key={i} className="remote-selection" style={{ left: b.left, top: b.top, width: b.width, height: b.height, background: softColorFor(user) }} />
              ))}
            <span className="remote-caret" style={{ left: caret.left, top: caret.top, height: caret.height, background: colorFor(user) }}>
              <span className="remote-flag" style={{ background: colorFor(user) }}>
                {user}
              </span>
            </span>
          </div>
        );
      })}
    </div>,
    quill.container,
  );
};
