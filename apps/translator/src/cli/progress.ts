/**
 * @file A training progress line: epoch, step, a bar, smoothed loss, tokens per second and time left. On a
 * terminal it redraws one line in place (throttled); elsewhere (CI logs, files) it prints a full line every
 * so often. Clock and stream are injectable, so tests drive it without waiting.
 */

/** What the bar writes to: process.stderr, or a fake in tests. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  /** Milliseconds, monotonic (default performance.now). */
  clock?: () => number;
  epochs?: number;
  /** Total optimiser steps, for the bar and the ETA (default epochs × stepsPerEpoch when both are given). */
  totalSteps?: number;
  stepsPerEpoch?: number;
  /** Terminal redraws at most this often (default 100 ms). */
  redrawIntervalMs?: number;
  /** Without a terminal, one line this often (default 10 s). */
  logIntervalMs?: number;
  /** Weight of the past in the displayed loss average (default 0.98). */
  lossSmoothing?: number;
  /** Speed and ETA are measured over this recent window (default 10 s). */
  rateWindowMs?: number;
}

export interface ProgressUpdate {
  epoch: number;
  /** Steps done so far, over all epochs. */
  step: number;
  loss: number;
  /** Tokens processed in this step. */
  tokens?: number;
}

interface Sample {
  time: number;
  step: number;
  tokens: number;
}

const barWidth = 20;

export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly clock: () => number;
  private readonly totalSteps: number | undefined;
  private readonly options: ProgressOptions;
  private readonly samples: Sample[];
  private tokens = 0;
  // Loss moving average and its weight 1 − smoothingᵏ, to debias the first steps.
  private averageLoss = 0;
  private lossWeight = 0;
  private last: ProgressUpdate | undefined;
  private lastWrite = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(options: ProgressOptions = {}) {
    this.options = options;
    this.stream = options.stream ?? process.stderr;
    this.clock = options.clock ?? (() => performance.now());
    const { epochs, stepsPerEpoch } = options;
    this.totalSteps = options.totalSteps ?? (epochs && stepsPerEpoch ? epochs * stepsPerEpoch : undefined);
    this.samples = [{ time: this.clock(), step: 0, tokens: 0 }];
  }

  update(update: ProgressUpdate): void {
    const now = this.clock();
    this.last = update;
    this.tokens += update.tokens ?? 0;
    const smoothing = this.options.lossSmoothing ?? 0.98;
    if (Number.isFinite(update.loss)) {
      this.averageLoss = smoothing * this.averageLoss + (1 - smoothing) * update.loss;
      this.lossWeight = smoothing * this.lossWeight + (1 - smoothing);
    }
    this.samples.push({ time: now, step: update.step, tokens: this.tokens });
    const window = this.options.rateWindowMs ?? 10_000;
    while (this.samples.length > 2 && now - this.samples[1].time >= window) this.samples.shift();

    const interval = this.tty
      ? (this.options.redrawIntervalMs ?? 100)
      : (this.options.logIntervalMs ?? 10_000);
    if (now - this.lastWrite >= interval) this.draw(now);
  }

  /** A line of its own (an evaluation result, a checkpoint note) without breaking the bar. */
  log(message: string): void {
    if (this.tty && this.drawn) this.stream.write(`\r\x1b[K${message}\n`);
    else this.stream.write(`${message}\n`);
    if (this.tty && this.last) this.draw(this.clock());
  }

  /** Draws the final state and ends the line. */
  done(): void {
    if (this.last) this.draw(this.clock(), true);
    if (this.tty && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }

  /** The current status line. */
  format(now = this.clock()): string {
    const update = this.last;
    if (!update) return 'starting…';
    const { epochs } = this.options;
    const parts = [`epoch ${update.epoch}${epochs ? `/${epochs}` : ''}`];
    parts.push(`step ${update.step}${this.totalSteps ? `/${this.totalSteps}` : ''}`);
    if (this.totalSteps) {
      const fraction = Math.min(1, update.step / this.totalSteps);
      const filled = Math.round(fraction * barWidth);
      parts.push(`[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${Math.floor(fraction * 100)}%`);
    }
    parts.push(`loss ${this.lossWeight > 0 ? (this.averageLoss / this.lossWeight).toFixed(4) : 'n/a'}`);
    const oldest = this.samples[0];
    const seconds = (now - oldest.time) / 1000;
    if (seconds > 0) {
      parts.push(`${formatCount((this.tokens - oldest.tokens) / seconds)} tok/s`);
      const stepsPerSecond = (update.step - oldest.step) / seconds;
      if (this.totalSteps && stepsPerSecond > 0) {
        parts.push(`ETA ${formatDuration(Math.max(0, this.totalSteps - update.step) / stepsPerSecond)}`);
      }
    }
    return parts.join(' ');
  }

  private get tty(): boolean {
    return this.stream.isTTY === true;
  }

  private draw(now: number, final = false): void {
    const line = this.format(now);
    if (this.tty) {
      const columns = this.stream.columns ?? 100;
      this.stream.write(`\r${line.slice(0, Math.max(10, columns - 1))}\x1b[K`);
      this.drawn = true;
    } else if (!final || now !== this.lastWrite) {
      this.stream.write(`${line}\n`);
    }
    this.lastWrite = now;
  }
}

/** 950 → "950", 12345 → "12.3k", 4.2e6 → "4.20M". */
export function formatCount(value: number): string {
  if (value < 1000) return value.toFixed(0);
  if (value < 1e6) return `${(value / 1000).toPrecision(3)}k`;
  return `${(value / 1e6).toPrecision(3)}M`;
}

/** Seconds as h:mm:ss (or m:ss under an hour). */
export function formatDuration(seconds: number): string {
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}
