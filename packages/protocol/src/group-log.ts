import { MAX_DEVICE, nameDevice, nameFields, makeName, type Name } from './name.ts';
import { type MichatObject } from './object.ts';
import type { Prefix } from './prefix.ts';

/**
 * A channel's MLS group log: the Commits that move the channel's group from one epoch to the
 * next, as named objects in the channel itself, under a device id no real device gets.
 * The Commit that moves epoch n to n + 1 is object `seq = n + 1` of this stream, so a
 * channel's vector entry for the log is its epoch, and first write wins (putIfAbsent) picks
 * exactly one Commit per epoch: the total order MLS needs (docs/decisions/0009).
 */
export const GROUP_LOG_DEVICE = MAX_DEVICE;

/** The log object that commits epoch `seq - 1` to `seq` in `channel`. */
export function groupLogName(channel: Prefix, seq: number): Name {
  return makeName({ ...nameFields(channel.name), device: GROUP_LOG_DEVICE, seq });
}

/** True for a name of a channel's group log. */
export function isGroupLogName(name: Name): boolean {
  return nameDevice(name) === GROUP_LOG_DEVICE;
}

/**
 * The envelope's exact bytes: everything an encoded object holds before its payload. An
 * encrypted payload is sealed with these as its authenticated data, so no server or relay can
 * change the name, time, expiry, thread or key epoch without the readers noticing.
 */
export function objectHeader(obj: MichatObject): Uint8Array {
  return obj.bytes.subarray(0, obj.bytes.length - obj.payload.length);
}
