// The repository root, found from wherever this file runs (from source under jest, or compiled).
import fs from 'node:fs';
import path from 'node:path';

const find = (from: string): string => {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'client', 'package.json')) && fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository root above ${from}`);
  }
};

export const REPO = find(__dirname);
