import type { DeviceInfo } from '@michat/protocol';
import type { LocalStore } from './store/local-store.ts';
import { RecordKeys, loadDeviceOwners } from './store/store-records.ts';

export interface DeviceDirectoryDeps {
  /** The store that keeps owners across reloads (never changes for a device). */
  store: LocalStore;
  /** Asks the server who owns a device. */
  fetch(deviceId: number): Promise<DeviceInfo>;
  /** New owners are known: views fold again (edits from a user's other devices now count). */
  onLearnt(): void;
  onError(error: Error): void;
}

/**
 * Who owns each device (names carry devices, views need users): loaded from the store, asked
 * from the server once per unknown device, remembered for good. Lookups are synchronous; an
 * unknown device is fetched in the background and `onLearnt` fires when it is known.
 */
export class DeviceDirectory {
  private readonly deps: DeviceDirectoryDeps;
  private readonly owners = new Map<number, DeviceInfo>();
  private readonly asking = new Set<number>();
  readonly loaded: Promise<void>;

  constructor(deps: DeviceDirectoryDeps) {
    this.deps = deps;
    this.loaded = loadDeviceOwners(deps.store).then(
      (infos) => {
        for (const info of infos) this.owners.set(info.deviceId, info);
        if (infos.length) deps.onLearnt();
      },
      (e: unknown) => deps.onError(e as Error),
    );
  }

  userOf(device: number): number | undefined {
    return this.owners.get(device)?.userId;
  }

  usernameOf(device: number): string | undefined {
    return this.owners.get(device)?.username;
  }

  /** Records an owner learnt elsewhere (e.g. the current session's own device). */
  learn(info: DeviceInfo): void {
    if (this.owners.get(info.deviceId)?.userId === info.userId) return;
    this.owners.set(info.deviceId, info);
    this.deps.store.setRecord(RecordKeys.device(info.deviceId), info).catch((e: unknown) => this.deps.onError(e as Error));
    this.deps.onLearnt();
  }

  /** Fetches the owners not known yet (offline: asked again next time). */
  want(devices: Iterable<number>): void {
    for (const device of devices) {
      if (this.owners.has(device) || this.asking.has(device)) continue;
      this.asking.add(device);
      void this.loaded
        .then(() => (this.owners.has(device) ? undefined : this.deps.fetch(device)))
        .then(
          (info) => info && this.learn(info),
          () => undefined, // offline or gone: the next view that needs it asks again
        )
        .finally(() => this.asking.delete(device));
    }
  }
}
