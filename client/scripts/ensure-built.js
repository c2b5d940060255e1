// Builds the client unless client/dist is newer than everything it is built from;
// `npm run serve` calls it, so a fresh clone serves a built client.
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const client = path.resolve(__dirname, '..');
const built = path.join(client, 'dist', 'index.html');
const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json', '../src/domain/ot.ts'].map((p) => path.join(client, p));

const newest = (p) => {
  if (!fs.existsSync(p)) return 0;
  const s = fs.statSync(p);
  return s.isDirectory() ? Math.max(s.mtimeMs, ...fs.readdirSync(p).map((e) => newest(path.join(p, e)))) : s.mtimeMs;
};

const stale = !fs.existsSync(built) || Math.max(...sources.map(newest)) > fs.statSync(built).mtimeMs;
if (stale) {
  console.log('rusher: building the client (client/dist is missing or older than its sources)');
  execSync('npm run build --silent', { cwd: client, stdio: 'inherit' });
}
