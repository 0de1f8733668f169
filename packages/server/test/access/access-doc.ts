import { ROLES, type Role } from './scenario.ts';

export interface AccessRow {
  operation: string;
  how: string;
  allowed: Record<Role, boolean>;
  line: number;
}

const HEADER = ['operation', 'how', ...ROLES];

/**
 * Reads the access table of docs/access.md: every markdown table whose header is exactly
 * `| operation | how | <the role columns> |`. Operation cells are `code`; role cells are ✓ or
 * ✗. Anything malformed throws, naming its line, so a typo cannot silently drop a check.
 */
export function parseAccessTable(markdown: string): AccessRow[] {
  const rows: AccessRow[] = [];
  const lines = markdown.split('\n');
  let inTable = false;
  lines.forEach((text, i) => {
    const line = i + 1;
    if (!text.trim().startsWith('|')) {
      inTable = false;
      return;
    }
    const cells = text.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
    if (cells[0] === 'operation') {
      if (cells.join('|') !== HEADER.join('|')) throw new Error(`docs/access.md:${line}: the header must be | ${HEADER.join(' | ')} |`);
      inTable = true;
      return;
    }
    if (!inTable || /^:?-+:?$/.test(cells[0] ?? '')) return;
    if (cells.length !== HEADER.length) throw new Error(`docs/access.md:${line}: ${cells.length} cells, expected ${HEADER.length}`);
    const operation = /^`([a-z0-9.-]+)`$/.exec(cells[0]!)?.[1];
    if (!operation) throw new Error(`docs/access.md:${line}: the operation must be a \`code-id\``);
    const allowed = {} as Record<Role, boolean>;
    ROLES.forEach((role, r) => {
      const cell = cells[2 + r];
      if (cell !== '✓' && cell !== '✗') throw new Error(`docs/access.md:${line}: "${role}" must be ✓ or ✗, got "${cell}"`);
      allowed[role] = cell === '✓';
    });
    rows.push({ operation, how: cells[1]!, allowed, line });
  });
  return rows;
}
