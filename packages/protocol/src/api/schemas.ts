export * from './common.ts';
export * from './auth.ts';
export * from './directory.ts';
export * from './devices.ts';
export * from './invites.ts';
export * from './import.ts';
export * from './relay.ts';
export * from './keys.ts';
