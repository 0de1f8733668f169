/**
 * What a michat client needs from ts-mls, for the bundle-size measurement (mls-bench.ts builds
 * this with vite, minified, and gzips it): group creation and joining, commits, application
 * messages, KeyPackages with the device's own signature key, the wire codec and state codec.
 */
export {
  createApplicationMessage,
  createCommit,
  createGroup,
  decodeGroupState,
  decodeMlsMessage,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  encodeGroupState,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  joinGroup,
  processPrivateMessage,
  zeroOutUint8Array,
} from 'ts-mls';
