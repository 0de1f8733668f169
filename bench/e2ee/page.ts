/** Page bundle: the seal/open scenario in the browser (window.e2eeSealBench), driven by e2ee-bench.ts. */
import { runSeal, type SealOptions, type SealResult } from './seal-scenario.ts';

declare global {
  interface Window {
    e2eeSealBench?: (o: SealOptions) => Promise<SealResult>;
  }
}

window.e2eeSealBench = (o) => runSeal(o, `Chromium ${navigator.userAgent.match(/Chrome\/([\d.]+)/)?.[1] ?? '?'}`);
