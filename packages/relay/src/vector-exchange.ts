import { GROUP_LOG_DEVICE, VersionVector, missingFrom, type MissingRange } from '@michat/protocol';

/**
 * Most objects one exchange round asks for or sends. A sub or sync answers a gap past
 * MAX_CATCHUP_OBJECTS with nothing at all; asking in chunks makes any backlog converge, one
 * chunk per heartbeat round trip.
 */
export const EXCHANGE_CHUNK = 5_000;

/** What one round of the exchange does for a channel, from the two vectors. */
export interface ExchangePlan {
  /** `since` for a sync that fetches the next chunk of what the relay lacks (undefined: nothing). */
  syncSince: VersionVector | undefined;
  /** How many objects that sync brings, and which. */
  fetching: number;
  fetch: MissingRange[];
  /** The next chunk of what the parent lacks, to publish to it. */
  push: MissingRange[];
  pushing: number;
}

/**
 * Plans a round of the vector exchange between a relay (`ours`) and its parent (`theirs`):
 * each sends the other exactly what it lacks, at most `chunk` objects each way. The sync's
 * `since` pretends to hold everything missing past the chunk, so the parent sends just it.
 * Group-log objects are never pushed: the origin alone accepts them, so a relay holds only
 * those it got from upstream, and one the parent lacks must not be offered.
 */
export function planExchange(ours: VersionVector, theirs: VersionVector, chunk = EXCHANGE_CHUNK): ExchangePlan {
  const lacking = missingFrom(theirs, ours);
  const [fetch, later] = split(lacking.ranges, chunk);
  let syncSince: VersionVector | undefined;
  if (fetch.length) {
    syncSince = ours.clone();
    for (const r of later) syncSince.addRange(r.device, r.from, r.through);
  }
  const [push] = split(missingFrom(ours, theirs).ranges.filter((r) => r.device !== GROUP_LOG_DEVICE), chunk);
  return { syncSince, fetching: total(fetch), fetch, push, pushing: total(push) };
}

/** The first `chunk` objects of `ranges`, and the rest. */
function split(ranges: readonly MissingRange[], chunk: number): [MissingRange[], MissingRange[]] {
  const first: MissingRange[] = [];
  const rest: MissingRange[] = [];
  let room = chunk;
  for (const r of ranges) {
    const size = r.through - r.from + 1;
    if (room <= 0) rest.push(r);
    else if (size <= room) {
      first.push(r);
      room -= size;
    } else {
      first.push({ ...r, through: r.from + room - 1 });
      rest.push({ ...r, from: r.from + room });
      room = 0;
    }
  }
  return [first, rest];
}

function total(ranges: readonly MissingRange[]): number {
  return ranges.reduce((n, r) => n + r.through - r.from + 1, 0);
}
