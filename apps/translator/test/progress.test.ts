import { describe, expect, it } from 'vitest';
import { formatCount, formatDuration, ProgressBar, type ProgressStream } from '../src/cli/progress.js';

class FakeStream implements ProgressStream {
  chunks: string[] = [];
  constructor(
    readonly isTTY: boolean,
    readonly columns = 200,
  ) {}
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }
  get output(): string {
    return this.chunks.join('');
  }
}

function fakeClock() {
  let now = 0;
  return { clock: () => now, advance: (ms: number) => (now += ms) };
}

describe('ProgressBar', () => {
  it('shows epoch, step, bar, smoothed loss, tokens/s and ETA', () => {
    const stream = new FakeStream(false);
    const { clock, advance } = fakeClock();
    const bar = new ProgressBar({ stream, clock, epochs: 2, stepsPerEpoch: 50, lossSmoothing: 0 });
    advance(1000);
    bar.update({ epoch: 1, step: 10, loss: 2.5, tokens: 5000 });
    expect(bar.format()).toBe(
      'epoch 1/2 step 10/100 [##------------------] 10% loss 2.5000 5.00k tok/s ETA 0:09',
    );
  });

  it('without a terminal, prints a full line at most every logIntervalMs, and a last one when done', () => {
    const stream = new FakeStream(false);
    const { clock, advance } = fakeClock();
    const bar = new ProgressBar({ stream, clock, totalSteps: 100, logIntervalMs: 10_000 });
    for (let step = 1; step <= 100; step++) {
      advance(500);
      bar.update({ epoch: 1, step, loss: 1, tokens: 100 });
    }
    bar.done();
    const lines = stream.output.split('\n').filter(Boolean);
    // Steps 1, 21, 41, 61, 81 (every 10 s of 0.5 s steps), then the final state.
    expect(lines.map((l) => l.match(/step (\d+)/)?.[1])).toEqual(['1', '21', '41', '61', '81', '100']);
    expect(stream.output).not.toContain('\r');
    expect(lines[5]).toContain('200 tok/s');
    expect(lines[5]).toContain('100%');
  });

  it('on a terminal, redraws one line in place (throttled) and ends it when done', () => {
    const stream = new FakeStream(true, 60);
    const { clock, advance } = fakeClock();
    const bar = new ProgressBar({ stream, clock, totalSteps: 10, redrawIntervalMs: 100 });
    for (let step = 1; step <= 10; step++) {
      advance(40);
      bar.update({ epoch: 1, step, loss: 3 });
    }
    const redraws = stream.chunks.length;
    expect(redraws).toBe(4); // at 40, 160, 280 and 400 ms
    expect(stream.chunks.every((c) => c.startsWith('\r') && c.endsWith('\x1b[K'))).toBe(true);
    expect(stream.chunks.every((c) => c.length <= 59 + 4)).toBe(true); // cut to the terminal width
    bar.done();
    expect(stream.output.endsWith('\n')).toBe(true);
    expect(stream.output.split('\n')).toHaveLength(2);
  });

  it('prints messages above the bar on a terminal', () => {
    const stream = new FakeStream(true);
    const { clock, advance } = fakeClock();
    const bar = new ProgressBar({ stream, clock });
    advance(10);
    bar.update({ epoch: 1, step: 1, loss: 1 });
    bar.log('dev BLEU 12.3');
    expect(stream.chunks[1]).toBe('\r\x1b[Kdev BLEU 12.3\n');
    expect(stream.chunks[2].startsWith('\repoch 1 step 1 loss 1.0000')).toBe(true);
  });

  it('debiases the loss average and ignores non-finite losses', () => {
    const { clock, advance } = fakeClock();
    const bar = new ProgressBar({ stream: new FakeStream(false), clock, lossSmoothing: 0.9 });
    advance(10);
    bar.update({ epoch: 1, step: 1, loss: 4 });
    bar.update({ epoch: 1, step: 2, loss: Number.NaN });
    expect(bar.format()).toContain('loss 4.0000');
  });

  it('measures speed over a recent window', () => {
    const { clock, advance } = fakeClock();
    const bar = new ProgressBar({
      stream: new FakeStream(false),
      clock,
      rateWindowMs: 2000,
      totalSteps: 1000,
    });
    for (let step = 1; step <= 10; step++) {
      advance(1000);
      bar.update({ epoch: 1, step, loss: 1, tokens: step <= 5 ? 100 : 1000 });
    }
    // The last two seconds run at 1000 tokens/s and 1 step/s: 990 steps to go.
    expect(bar.format()).toContain('1.00k tok/s ETA 16:30');
  });
});

describe('formatting', () => {
  it('formats counts and durations', () => {
    expect(formatCount(950)).toBe('950');
    expect(formatCount(12_345)).toBe('12.3k');
    expect(formatCount(4_200_000)).toBe('4.20M');
    expect(formatDuration(59)).toBe('0:59');
    expect(formatDuration(3725)).toBe('1:02:05');
  });
});
