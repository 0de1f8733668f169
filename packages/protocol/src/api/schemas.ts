export * from './common.ts';
export * from './auth.ts';
export * from './directory.ts';
