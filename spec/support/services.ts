// Specs that need a system service (Redis, Chromium) run where it is installed; elsewhere
// they are skipped with one line naming the Debian package to install, so that
// `npm install && npm test` passes on a machine with only Node. CI installs the packages
// and sets RUSHER_REQUIRE_SERVICES=1, which turns such a skip into a failure.
import fs from 'fs';
import path from 'path';

export interface Service {
  /** The program the specs run: a name looked up on PATH, or an absolute path. */
  readonly executable: string;
  /** The Debian package that installs it. */
  readonly debian: string;
}

export const REDIS: Service = { executable: 'redis-server', debian: 'redis-server' };
export const CHROMIUM: Service = { executable: process.env.CHROMIUM_PATH ?? 'chromium', debian: 'chromium' };

const runnable = (file: string): boolean => {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};

/** The absolute path of the service's program, or undefined when it is not installed. */
export const locate = ({ executable }: Service): string | undefined => {
  if (path.isAbsolute(executable)) return runnable(executable) ? executable : undefined;
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== '');
  return dirs.map((d) => path.join(d, executable)).find(runnable);
};

/**
 * `describe(title, body)` when the service is installed (the body gets its path);
 * otherwise one line on stderr and a skipped block, or, under RUSHER_REQUIRE_SERVICES=1,
 * a failing one.
 */
export const describeWith = (service: Service, title: string, body: (executable: string) => void): void => {
  const found = locate(service);
  if (found !== undefined) return describe(title, () => body(found));
  const missing = `${service.executable} is not installed (apt-get install ${service.debian})`;
  if (process.env.RUSHER_REQUIRE_SERVICES === '1') {
    return describe(title, () => it(`needs ${service.executable}`, () => {
      throw new Error(`${missing}; RUSHER_REQUIRE_SERVICES=1 forbids skipping`);
    }));
  }
  process.stderr.write(`skipping "${title}": ${missing}\n`);
  describe.skip(title, () => body(service.executable));
};
