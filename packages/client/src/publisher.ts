import {
  MichatError,
  channelKey,
  encodeObject,
  makeName,
  matchesPrefix,
  nameFields,
  type MichatObject,
  type ObjectEnvelope,
  type Prefix,
} from '@michat/protocol';
import type { PublishOptions } from './client-types.ts';
import { publishJob, type PublishResult } from './publish-job.ts';
import type { RequestQueue } from './request-queue.ts';
import type { SeqStore } from './seq-store.ts';
import type { ServerClock } from './server-clock.ts';

export interface PublisherDeps {
  seqStore: SeqStore;
  clock: ServerClock;
  requests: RequestQueue;
  deviceId(): number;
  /** The object is durable (acknowledged). */
  onStored(obj: MichatObject): void;
}

/**
 * Turns payloads into named objects and sees them acknowledged. Names come from the
 * SeqStore and are taken in call order, so one device's stream reaches the server in
 * sequence.
 */
export class Publisher {
  private readonly deps: PublisherDeps;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(deps: PublisherDeps) {
    this.deps = deps;
  }

  async publish(channel: Prefix, payload: Uint8Array, options: PublishOptions): Promise<PublishResult> {
    const { clock, seqStore, requests } = this.deps;
    const fields = nameFields(channel.name);
    const deviceId = this.deps.deviceId();
    const envelope = (seq: number): ObjectEnvelope => ({
      name: makeName({ ...fields, device: deviceId, seq }),
      created: clock.now(),
      keyEpoch: 0,
      ...(options.expires !== undefined ? { expires: options.expires } : {}),
      ...(options.threadRoot !== undefined ? { threadRoot: options.threadRoot } : {}),
    });
    // Whatever can be refused here is checked before a sequence number is spent: a number
    // taken but never stored leaves a hole in this device's stream for good.
    encodeObject(envelope(1), payload);
    if (options.expires !== undefined && options.expires <= clock.now()) throw new MichatError('Expired', 'expires is already past');
    if (options.threadRoot && !matchesPrefix(options.threadRoot, channel)) throw new MichatError('BadRequest', 'the thread root is in another channel');
    const key = channelKey(channel.name);
    const queued = this.tail.then(async () => {
      const seq = await seqStore.next(deviceId, key);
      if (!Number.isInteger(seq) || seq < 1) throw new MichatError('Internal', `the sequence store returned ${seq}`);
      // Wrapped, so the chain waits for the name to be taken and sent, not for the ack.
      return { acked: requests.run(publishJob(encodeObject(envelope(seq), payload), (t) => clock.learn(t))) };
    });
    this.tail = queued.catch(() => undefined);
    const result = await (await queued).acked;
    this.deps.onStored(result.object);
    return result;
  }
}
