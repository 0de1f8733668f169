/**
 * The small IPC protocol between the benchmark parent and its server children (started
 * with child_process.fork, so messages travel over the IPC channel):
 *
 *     child  → parent  { type: 'ready', url, wsUrl }       once listening
 *     parent → child   { type: 'usage' }                   a CPU / event-loop reading…
 *     child  → parent  { type: 'usage', usage }            …answered with it
 *     parent → child   { type: 'profile-start' }           start the V8 CPU profiler…
 *     parent → child   { type: 'profile-stop', file }      …stop it and write the .cpuprofile to `file`
 *     child  → parent  { type: 'profiled', file }          written (or { error })
 *     parent → child   { type: 'stop' }                    close everything and exit
 *
 * Profiling through node:inspector covers exactly the measured interval, unlike --cpu-prof,
 * which would also cover start-up, logins and connection set-up.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

export interface UsageSample {
  /** process.cpuUsage(): user and system CPU time in µs since the process started. */
  cpu: NodeJS.CpuUsage;
  /** performance.eventLoopUtilization() since the process started. */
  elu: EventLoopUtilization;
  /** performance.now() in the child when sampled (ms). */
  at: number;
}

export type ParentMessage = { type: 'usage' } | { type: 'stop' } | { type: 'profile-start' } | { type: 'profile-stop'; file: string };
export type ChildMessage =
  | { type: 'ready'; url: string; wsUrl: string; info: Record<string, unknown> }
  | { type: 'usage'; usage: UsageSample }
  | { type: 'profiled'; file: string; error?: string };

export function sampleUsage(): UsageSample {
  return { cpu: process.cpuUsage(), elu: performance.eventLoopUtilization(), at: performance.now() };
}

/** Wires a child's side: answers usage requests, runs `stop` (then exits) when asked or orphaned. */
export function serveParent(ready: Omit<Extract<ChildMessage, { type: 'ready' }>, 'type'>, stop: () => Promise<void>): void {
  if (!process.send) throw new Error('start this file through the benchmark (child_process.fork), not directly');
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await stop();
    } finally {
      process.disconnect?.();
      // process.exit (not a signal) lets --cpu-prof write its profile.
      process.exit(0);
    }
  };
  let profiler: Session | undefined;
  const profileStart = async () => {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 250 });
    await profiler.post('Profiler.start');
  };
  const profileStop = async (file: string) => {
    try {
      if (!profiler) throw new Error('the profiler was not started');
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      profiler = undefined;
      await writeFile(file, JSON.stringify(profile));
      process.send!({ type: 'profiled', file } satisfies ChildMessage);
    } catch (e) {
      process.send!({ type: 'profiled', file, error: String(e) } satisfies ChildMessage);
    }
  };
  process.on('message', (m: ParentMessage) => {
    if (m.type === 'usage') process.send!({ type: 'usage', usage: sampleUsage() } satisfies ChildMessage);
    else if (m.type === 'profile-start') void profileStart();
    else if (m.type === 'profile-stop') void profileStop(m.file);
    else if (m.type === 'stop') void shutdown();
  });
  // The parent died or closed the channel: never outlive it.
  process.on('disconnect', () => void shutdown());
  process.send({ type: 'ready', ...ready } satisfies ChildMessage);
}
