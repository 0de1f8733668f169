import { z } from 'zod';
import { Err } from './error.ts';
import { Hb, Leave, Presence, Typing, TypingEvent, Vec } from './heartbeat.ts';
import { HistPage, HistReq } from './history.ts';
import { Ack, Pub } from './publish.ts';
import { Auth, Bye, Hello, Ping, Pong, Welcome } from './session.ts';
import { Objs, Obj, Sub, SubOk, Sync, Unsub } from './subscribe.ts';

export * from './common.ts';
export { Err, Hb, Leave, Presence, Typing, TypingEvent, Vec, HistPage, HistReq, Ack, Pub, Auth, Bye, Hello, Ping, Pong, Welcome, Objs, Obj, Sub, SubOk, Sync, Unsub };

/** Every frame a client may send. */
export const ClientFrame = z.discriminatedUnion('t', [Hello, Auth, Pub, Sub, Unsub, Sync, HistReq, Hb, Typing, Leave, Ping]);
/** Every frame a server may send. */
export const ServerFrame = z.discriminatedUnion('t', [Welcome, Bye, Ack, Objs, SubOk, Obj, HistPage, Vec, Presence, TypingEvent, Err, Pong]);

export type ClientFrame = z.infer<typeof ClientFrame>;
export type ServerFrame = z.infer<typeof ServerFrame>;
export type ClientFrameOf<T extends ClientFrame['t']> = Extract<ClientFrame, { t: T }>;
export type ServerFrameOf<T extends ServerFrame['t']> = Extract<ServerFrame, { t: T }>;
