import { colorFor, initials } from './colors';

export const Avatar = ({ name, size = 32 }: { name: string; size?: number }) => (
  <span className="avatar" style={{ background: colorFor(name), width: size, height: size, fontSize: size * 0.4 }} title={name} aria-hidden="true">
    {initials(name)}
  </span>
);
