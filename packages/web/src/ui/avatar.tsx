/** Deep enough for white initials to pass WCAG AA contrast. */
const PALETTE = ['#4f46e5', '#0369a1', '#047857', '#b45309', '#b91c1c', '#7c3aed', '#be185d', '#0f766e', '#c2410c', '#4338ca', '#4d7c0f', '#0e7490'];

/** A stable color per name, so people are recognizable at a glance. */
export function colorFor(name: string): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

export function initials(name: string): string {
  const parts = name.split(/[._\-\s]+/).filter(Boolean);
  if (parts.length >= 2) return (parts[0]![0]! + parts[1]![0]!).toUpperCase();
  return (name.slice(0, 2) || '?').toUpperCase();
}

export type Presence = 'active' | 'away' | 'offline' | undefined;

export function Avatar({ name, size, presence }: { name: string; size?: 'small' | 'tiny'; presence?: Presence }) {
  return (
    <span class={`avatar${size ? ` ${size}` : ''}`} style={{ background: colorFor(name || '?') }} aria-hidden="true">
      {initials(name || '?')}
      {presence && presence !== 'offline' ? <span class={`dot ${presence}`} /> : null}
    </span>
  );
}
