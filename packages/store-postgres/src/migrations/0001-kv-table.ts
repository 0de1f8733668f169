/**
 * The KV table. COLLATE "C" makes key comparison byte order whatever the database's
 * locale, which is what the KV port promises (and what the range scans of `list` rely on).
 */
export const MIGRATION_0001_KV_TABLE = `
CREATE TABLE kv (
  key text COLLATE "C" PRIMARY KEY,
  value bytea NOT NULL
);
`;
