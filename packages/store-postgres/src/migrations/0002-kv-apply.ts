/**
 * kv_apply: executes one batch of KV operations, in order, in the caller's transaction, and
 * returns what the reads produced. A whole batch costs one round trip, and because the
 * caller runs it as a single statement (an implicit transaction) the commit happens before
 * the server reports completion: nothing is reported that could still be rolled back.
 *
 * Slot i holds op, k, v, high, lim:
 *   get           -> (i, NULL, value) if present
 *   put           -> nothing
 *   claim         -> putIfAbsent: nothing when it wrote, else (i, NULL, existing value)
 *   also          -> alsoPut entry of the nearest claim before it: an upsert, only if that claim wrote
 *   delete        -> (i, NULL, NULL) if a row was deleted
 *   take          -> (i, NULL, value) if a row was deleted
 *   list, list-reverse -> (i, key, value) for keys in [k, high), LIMIT lim (NULL = all)
 * Rows come back in the order they were produced; the client groups them by slot.
 *
 * Concurrency (READ COMMITTED): the INSERT of a claim waits for any uncommitted row with
 * the same key in another transaction and then either inserts (that one rolled back) or
 * conflicts. Every statement takes a fresh snapshot, so the SELECT after a conflict sees
 * the committed winner; if a concurrent take deleted it in between, the key is free again
 * and the claim retries (bounded, so a pathological loop fails instead of spinning).
 */
export const MIGRATION_0002_KV_APPLY = `
CREATE FUNCTION kv_apply(ops text[], keys text[], vals bytea[], highs text[], limits integer[])
RETURNS TABLE (slot integer, entry_key text, entry_value bytea)
LANGUAGE plpgsql VOLATILE
AS $fn$
DECLARE
  i bigint;
  op text;
  k text;
  v bytea;
  high text;
  lim integer;
  attempt integer;
  claimed boolean := false;
  existing bytea;
BEGIN
  -- unnest walks the arrays once; ops[i] would rescan variable-length elements from the
  -- start on every access, which makes a large batch quadratic.
  FOR op, k, v, high, lim, i IN SELECT * FROM unnest(ops, keys, vals, highs, limits) WITH ORDINALITY LOOP
    CASE op
      WHEN 'get' THEN
        RETURN QUERY SELECT i::integer, NULL::text, kv.value FROM kv WHERE kv.key = k;
      WHEN 'put' THEN
        INSERT INTO kv (key, value) VALUES (k, v)
          ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
      WHEN 'claim' THEN
        claimed := false;
        FOR attempt IN 1 .. 100 LOOP
          INSERT INTO kv (key, value) VALUES (k, v) ON CONFLICT (key) DO NOTHING;
          IF FOUND THEN
            claimed := true;
            EXIT;
          END IF;
          SELECT kv.value INTO existing FROM kv WHERE kv.key = k;
          IF FOUND THEN
            slot := i::integer; entry_key := NULL; entry_value := existing;
            RETURN NEXT;
            EXIT;
          END IF;
          IF attempt = 100 THEN
            RAISE EXCEPTION 'kv_apply: key % kept appearing and disappearing', k USING ERRCODE = '40001';
          END IF;
        END LOOP;
      WHEN 'also' THEN
        IF claimed THEN
          INSERT INTO kv (key, value) VALUES (k, v)
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
        END IF;
      WHEN 'delete' THEN
        DELETE FROM kv WHERE kv.key = k;
        IF FOUND THEN
          slot := i::integer; entry_key := NULL; entry_value := NULL;
          RETURN NEXT;
        END IF;
      WHEN 'take' THEN
        DELETE FROM kv WHERE kv.key = k RETURNING kv.value INTO existing;
        IF FOUND THEN
          slot := i::integer; entry_key := NULL; entry_value := existing;
          RETURN NEXT;
        END IF;
      WHEN 'list' THEN
        RETURN QUERY SELECT i::integer, kv.key, kv.value FROM kv
          WHERE kv.key >= k AND kv.key < high ORDER BY kv.key LIMIT lim;
      WHEN 'list-reverse' THEN
        RETURN QUERY SELECT i::integer, kv.key, kv.value FROM kv
          WHERE kv.key >= k AND kv.key < high ORDER BY kv.key DESC LIMIT lim;
      ELSE
        RAISE EXCEPTION 'kv_apply: unknown operation %', op;
    END CASE;
  END LOOP;
END
$fn$;
`;
