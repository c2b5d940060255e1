// Command-line options as `--name value`, `--name=value` or a bare `--name` (= "true").
export interface Args {
  readonly opt: (name: string, fallback: string) => string;
  /** A number ≥ `min`, or the bench stops with the option's name. */
  readonly num: (name: string, fallback: number, min?: number) => number;
}

export const argsOf = (args: readonly string[]): Args => {
  const opt = (name: string, fallback: string): string => {
    for (let i = 0; i < args.length; i++) {
      if (args[i] === `--${name}`) return args[i + 1] !== undefined && !args[i + 1].startsWith('--') ? args[i + 1] : 'true';
      if (args[i].startsWith(`--${name}=`)) return args[i].slice(name.length + 3);
    }
    return fallback;
  };
  const num = (name: string, fallback: number, min = 0) => {
    const v = Number(opt(name, String(fallback)));
    if (!Number.isFinite(v) || v < min) throw new Error(`--${name} must be a number ≥ ${min}`);
    return v;
  };
  return { opt, num };
};
