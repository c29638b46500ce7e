import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuMeter, cpuSecondsOf, peakRssBytesOf } from '../../../src/cli/bench/process-stats.js';

const NO_SUCH_PID = 2 ** 22 + 7; // above Linux's pid_max: never a process

/** Spins until this process has used `seconds` of CPU, however busy the machine is. */
const spendCpu = (seconds: number): void => {
  const start = process.cpuUsage();
  for (;;) {
    for (let i = 0; i < 100_000; i += 1) Math.sqrt(i);
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1e6 >= seconds) return;
  }
};

describe('process figures from /proc', () => {
  it('counts the CPU time a process spends, and only it', async () => {
    const meter = cpuMeter({ self: process.pid });
    await meter.start();
    spendCpu(0.3);
    const used = (await meter.stop())['self'] ?? 0;
    // /proc counts in ticks of 10 ms: a tick or two either way.
    expect(used).toBeGreaterThanOrEqual(0.28);
    expect(used).toBeLessThan(5);
  });

  it('reads a child’s CPU time and peak memory while it runs, and nothing once it is gone', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 5000)']);
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      expect(await cpuSecondsOf(child.pid ?? NO_SUCH_PID)).toBeGreaterThanOrEqual(0);
      expect(await peakRssBytesOf(child.pid ?? NO_SUCH_PID)).toBeGreaterThan(1024 * 1024);
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    expect(await cpuSecondsOf(NO_SUCH_PID)).toBeNull();
    expect(await peakRssBytesOf(NO_SUCH_PID)).toBeNull();
  });
});
