// The little of ShareDB 7 and rich-text 4 the ShareDB peer uses (neither ships types).
declare module 'sharedb' {
  type Callback = (err?: Error | null) => void;
  interface Snapshot {
    readonly v: number;
    readonly type: string | null;
    readonly data: unknown;
  }
  interface Doc {
    readonly version: number | null;
    readonly data: unknown;
    create(data: unknown, type: string, callback: Callback): void;
    submitOp(op: unknown, callback: Callback): void;
  }
  interface Connection {
    get(collection: string, id: string): Doc;
    close(): void;
  }
  interface DB {
    getSnapshot(collection: string, id: string, fields: null, options: null, callback: (err: Error | null, snapshot: Snapshot) => void): void;
  }
  class Backend {
    constructor(options?: Record<string, unknown>);
    readonly db: DB;
    connect(): Connection;
    close(callback?: Callback): void;
    static types: { register(type: unknown): void };
  }
  export = Backend;
}

declare module 'rich-text' {
  export const type: { readonly name: string; readonly uri: string };
}
