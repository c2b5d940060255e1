// A stable colour for each user, so a person looks the same in chat, editor and map.
const hash = (s: string): number => {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
};

export const colorFor = (name: string): string => `hsl(${hash(name) % 360} 62% 46%)`;
export const softColorFor = (name: string): string => `hsl(${hash(name) % 360} 70% 50% / 0.25)`;

export const initials = (name: string): string => {
  const parts = name.split(/[-_.\s]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts[1]?.[0] ?? '')).toUpperCase();
};
