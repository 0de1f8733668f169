/**
 * Storage keys of end-to-end encryption state, beside the directory's records under `d/`
 * (ids decimal; every list prefix ends in '/' so `…/1/` never matches `…/10/`). The server
 * never parses what it keeps here: MLS (RFC 9420) is the clients' business.
 *
 *     d/devkey/<device>            → the device's signature key (JSON), set once (putIfAbsent)
 *     d/kp/<device>/<16 hex>       → one one-time KeyPackage (its bytes), handed out once (take)
 *     d/kplr/<device>              → the device's last-resort KeyPackage (its bytes), replaced by uploads
 */
export const e2eeKeys = {
  deviceKey: (deviceId: number) => `d/devkey/${deviceId}`,
  keyPackage: (deviceId: number, id: string) => `d/kp/${deviceId}/${id}`,
  keyPackages: (deviceId: number) => `d/kp/${deviceId}/`,
  lastResort: (deviceId: number) => `d/kplr/${deviceId}`,
} as const;
