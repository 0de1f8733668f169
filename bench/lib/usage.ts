/**
 * How busy both sides and the machine were over a measured interval, and which rounds count
 * ("clean": other load stayed low). Shared by the core and the E2EE benchmark.
 */
import type { ServerChild } from './child.ts';
import { sampleUsage } from './child-ipc.ts';
import { awaitQuiet, machineBusyPercent, machineTimes, usageBetween, type SideUsage } from './machine.ts';
import { round } from './stats.ts';

/** A round is clean when other load stayed at or under this (% of one core). */
export const CLEAN_OTHER_PERCENT = 20;

export interface MachineUsage {
  /** Busy % of one core before the round started (see awaitQuiet). */
  busyBeforePercent: number;
  /** Whole machine busy during the round, % of one core (up to cores × 100). */
  busyPercent: number;
  /** busy minus the server's and the load generator's CPU: other processes and kernel work charged to neither. */
  otherPercent: number;
}

export const isClean = (r: { machine: MachineUsage }): boolean => r.machine.otherPercent <= CLEAN_OTHER_PERCENT;

/** The clean rounds, or all of them when none was clean. */
export function cleanOrAll<T extends { machine: MachineUsage }>(rounds: T[]): T[] {
  return rounds.some(isClean) ? rounds.filter(isClean) : rounds;
}

/** `12,345/s` and a mark when the round was disturbed by other load. */
export function roundLabel(r: { machine: MachineUsage; publishesPerSec?: number; deliveriesPerSec?: number }): string {
  const v = (r.publishesPerSec ?? r.deliveriesPerSec ?? 0).toLocaleString('en-US');
  return isClean(r) ? v : `(${v}, other load ${r.machine.otherPercent}%)`;
}

export interface MeasuredUsage<T> {
  result: T;
  server: SideUsage;
  loadgen: SideUsage;
  machine: MachineUsage;
  /** The server's CPU time (user + system) over the interval, ms. */
  serverCpuMs: number;
}

/**
 * Runs `body` (a measured interval) after waiting for a quiet machine, sampling both sides'
 * usage; with a `profileFile`, CPU-profiles the server through it and writes the profile there.
 */
export async function measureUsage<T>(server: ServerChild, profileFile: string | undefined, body: () => Promise<T>): Promise<MeasuredUsage<T>> {
  const busyBeforePercent = await awaitQuiet();
  if (profileFile !== undefined) server.profileStart();
  const s0 = await server.usage();
  const l0 = sampleUsage();
  const m0 = machineTimes();
  const result = await body();
  const m1 = machineTimes();
  const l1 = sampleUsage();
  const s1 = await server.usage();
  if (profileFile !== undefined) await server.profileStop(profileFile);
  const su = usageBetween(s0, s1);
  const lu = usageBetween(l0, l1);
  const busyPercent = machineBusyPercent(m0, m1);
  return {
    result,
    server: su,
    loadgen: lu,
    machine: { busyBeforePercent, busyPercent, otherPercent: Math.max(0, round(busyPercent - su.cpuPercent - lu.cpuPercent)) },
    serverCpuMs: round((s1.cpu.user - s0.cpu.user + (s1.cpu.system - s0.cpu.system)) / 1000, 1),
  };
}
