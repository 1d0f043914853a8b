/**
 * The date- and time-sensitive tests again, under another time zone and a clock shifted forward by
 * a day and a half to 23:59 there, so the run crosses midnight (libfaketime: Debian's `faketime`).
 * Tests must hold on any day, at any hour, in any zone: this is the proof CI runs.
 *
 *   node scripts/test-shifted-clock.mjs [files]   (default: PHASES below)
 * FLOW_TEST_TZ (default Asia/Kolkata: a half-hour offset) and, with files given, FLOW_TEST_AT (HH:MM[:SS]) change the target.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The date- and time-sensitive tests, in two runs: the first starts at 23:59:30 and crosses midnight;
 * the golden scenarios run late in the day (each must fit in one day, as its recording did: sacct
 * without -S lists today's jobs, so across midnight the test would wait for the new day).
 */
const PHASES = [
  {
    at: '23:59:30',
    files: [
      'test/unit', // parsers and formats of dates and times (each with its own injected clock), recordings replayed
      'test/e2e/scontrol-oracle.test.ts', // --begin=16:00|noon|midnight|teatime|tomorrow|12/25 against the recording's rules
      'test/e2e/lifecycle.test.ts', // --begin, time limits
    ],
  },
  { at: '23:50:00', files: ['test/e2e/golden.test.ts'] }, // squeue -l's header date, sacct's default window, elapsed times
];
const LIB = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1', '/usr/local/lib/faketime/libfaketime.so.1']
  .find((p) => existsSync(p));
if (!LIB) {
  process.stderr.write('test-shifted-clock: libfaketime is not installed (Debian/Ubuntu: apt-get install faketime); the shifted-clock run cannot be done\n');
  process.exit(1);
}

const tz = process.env.FLOW_TEST_TZ ?? 'Asia/Kolkata';
const args = process.argv.slice(2);
const phases = args.length ? [{ at: process.env.FLOW_TEST_AT ?? '23:59:30', files: args }] : PHASES;

/** Seconds to add to the real clock so that `tz`'s wall clock shows `at` (HH:MM[:SS]) a day and a half from now. */
function offsetTo(at) {
  const [hh, mm, ss = 0] = at.split(':').map(Number);
  const later = new Date(Date.now() + 36 * 3600_000);
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: tz, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
    .formatToParts(later).map((x) => [x.type, Number(x.value)]));
  return 36 * 3600 + (hh * 3600 + mm * 60 + ss) - (p.hour * 3600 + p.minute * 60 + p.second);
}

for (const { at, files } of phases) {
  const offset = offsetTo(at);
  const shown = new Date(Date.now() + offset * 1000).toLocaleString('sv-SE', { timeZone: tz });
  process.stdout.write(`shifted clock: TZ=${tz}, now ${shown} there (real clock +${offset} s): ${files.join(' ')}\n`);
  const r = spawnSync('npx', ['vitest', 'run', ...files], {
    stdio: 'inherit',
    // a relative offset, so every process (commands, controller, jobs) shares one shifted clock; the
    // monotonic clock stays real (timers)
    env: { ...process.env, TZ: tz, LD_PRELOAD: LIB, FAKETIME: `+${offset}`, FAKETIME_DONT_FAKE_MONOTONIC: '1', FAKETIME_NO_CACHE: '1' },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
