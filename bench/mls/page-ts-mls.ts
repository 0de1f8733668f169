/** Page bundle: the ts-mls scenario in the browser (window.mlsBenchTsMls), driven by mls-bench.ts. */
import { runTsMls } from './ts-mls-scenario.ts';
import type { GroupSizeResult, ScenarioOptions } from './types.ts';

declare global {
  interface Window {
    mlsBenchTsMls?: (o: Omit<ScenarioOptions, 'log'>) => Promise<GroupSizeResult>;
  }
}

window.mlsBenchTsMls = (o) => runTsMls({ ...o, log: (line) => console.log(line) }, `Chromium ${navigator.userAgent.match(/Chrome\/([\d.]+)/)?.[1] ?? '?'}`);
