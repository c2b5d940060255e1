// A document editor over a real socket: the shared client state machine (DocClient)
// wired to `doc.*` frames, as any client of the protocol runs it.
import Delta from 'quill-delta';
import WebSocket from 'ws';
import { DocClient, Submission } from '../../src/domain/ot';
import { Frame } from './server';

export class Editor {
  ot!: DocClient;
  readonly errors: Frame[] = [];
  /** Acked versions, in the order the acks came. */
  readonly acked: number[] = [];
  /** Acked ops that the server had to transform: others committed after their base version. */
  crossed = 0;
  /** From `welcome`; in a cluster it starts with the worker's index. */
  session = '';
  private base = 0;
  private ids = 0;
  private idle: (() => void)[] = [];

  private constructor(
    private readonly ws: WebSocket,
    readonly doc: string,
    readonly name: string,
  ) {}

  static open(url: string, doc: string, name: string): Promise<Editor> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const editor = new Editor(ws, doc, name);
    return new Promise((resolve, reject) => {
      ws.once('error', reject);
      ws.on('message', (data) => {
        const f = JSON.parse(data.toString()) as Frame;
        if (f.type === 'welcome') {
          editor.session = f.session;
          ws.send(JSON.stringify({ type: 'doc.open', ref: 'open', doc }));
        }
        else if (f.type === 'doc.snapshot') {
          editor.ot = new DocClient(f.version, new Delta(f.content.ops), () => `${name}-${++editor.ids}`);
          resolve(editor);
        } else editor.receive(f);
      });
    });
  }

  get content(): Delta {
    return this.ot.content;
  }

  edit(change: Delta): void {
    this.submit(this.ot.edit(change));
  }

  /** Resolves once every edit made so far is acked. */
  settled(): Promise<void> {
    if (!this.ot.pending) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  close(): void {
    this.ws.close();
  }

  private receive(f: Frame): void {
    if (f.type === 'error') {
      this.errors.push(f);
      return;
    }
    if (f.doc !== this.doc) return;
    if (f.type === 'doc.ack') {
      this.acked.push(f.version);
      if (f.version > this.base + 1) this.crossed++;
      this.submit(this.ot.receive({ kind: 'ack', version: f.version }).send);
    } else if (f.type === 'doc.op') {
      this.submit(this.ot.receive({ kind: 'op', version: f.version, op: new Delta(f.op.ops), id: f.id }).send);
    }
    if (!this.ot.pending) this.idle.splice(0).forEach((resolve) => resolve());
  }

  private submit(s: Submission | undefined): void {
    if (s === undefined) return;
    this.base = s.version;
    this.ws.send(JSON.stringify({ type: 'doc.op', doc: this.doc, version: s.version, op: s.op, id: s.id }));
  }
}
