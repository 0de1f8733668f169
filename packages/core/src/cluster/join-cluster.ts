import type { MichatNode } from '../michat-node.ts';
import type { ClusterLink } from './cluster-link.ts';
import type { ControlEvent } from './cluster-messages.ts';

/**
 * Makes a node one of many sharing a store: what it changes that other nodes cache or hold
 * sockets for goes out on the bus, and what they change comes in. Returns when listening.
 */
export async function joinCluster(node: MichatNode, link: ClusterLink): Promise<void> {
  node.revocations.onRevoked((r, remote) => {
    if (!remote) link.tell({ k: 'revoked', ...r });
  });
  node.directory.onChanged((change) => link.tell({ k: 'channel', ...change }));
  node.directory.onMembershipRemoved((e) => link.tell({ k: 'removed', channelId: e.channel.id, userId: e.userId }));
  await link.start({
    control: (event) => void apply(node, event),
    heal: () => heal(node),
  });
}

async function apply(node: MichatNode, event: ControlEvent): Promise<void> {
  switch (event.k) {
    case 'revoked':
      node.revocations.invalidate(
        { userId: event.userId, ...(event.deviceId !== undefined ? { deviceId: event.deviceId } : {}), ...(event.exceptDeviceId !== undefined ? { exceptDeviceId: event.exceptDeviceId } : {}) },
        true,
      );
      return;
    case 'channel':
      node.directory.forgetChange({ channelId: event.channelId, members: event.members });
      return;
    case 'removed': {
      node.directory.forgetChange({ channelId: event.channelId, members: true });
      const channel = await node.directory.channel(event.channelId).catch(() => undefined);
      // Without the record (the store is down) the user's next heartbeat ends it instead.
      if (channel) node.rooms.endMembership({ channel, userId: event.userId });
      return;
    }
    case 'keys':
      node.tokens.forgetSigningKeys();
      return;
    case 'resync':
      heal(node);
      return;
  }
}

/** Messages may have been lost: forget every cache and re-read the rooms from the store. */
function heal(node: MichatNode): void {
  node.directory.forgetAll();
  node.revocations.forgetAll();
  node.tokens.forgetSigningKeys();
  void node.rooms.heal();
}
