/** Page bundle: the core-crypto scenario in the browser (window.mlsBenchCoreCrypto), driven by mls-bench.ts. */
import * as cc from '@wireapp/core-crypto/browser';
import { runCoreCrypto } from './core-crypto-scenario.ts';
import { passiveKeyPackage } from './ts-mls-scenario.ts';
import type { GroupSizeResult, ScenarioOptions } from './types.ts';

declare global {
  interface Window {
    mlsBenchCoreCrypto?: (o: Omit<ScenarioOptions, 'log'>, wasmUrl: string) => Promise<GroupSizeResult>;
  }
}

let ready: Promise<void> | undefined;
window.mlsBenchCoreCrypto = async (o, wasmUrl) => {
  ready ??= cc.initWasmModule(wasmUrl);
  await ready;
  return runCoreCrypto(cc, { ...o, log: (line) => console.log(line) }, `Chromium ${navigator.userAgent.match(/Chrome\/([\d.]+)/)?.[1] ?? '?'}`, passiveKeyPackage);
};
