/** @file What the page shows for one translation: the text, where and how fast it ran, the attention heatmap. */
import { attentionHeatmap } from '../src/plots/attention-heatmap.js';
import type { TextTranslation } from '../src/translator.js';

export type Engine = 'browser' | 'server';

export function renderTranslation(
  elements: { result: HTMLElement; translation: HTMLElement; timing: HTMLElement; heatmap: HTMLElement },
  translation: TextTranslation,
  engine: Engine,
  elapsedMs: number,
): void {
  const { result, translation: textElement, timing, heatmap } = elements;
  textElement.textContent = translation.text || '(empty)';
  const where = engine === 'browser' ? 'in this browser' : 'on the server';
  timing.textContent = `Translated ${where} in ${elapsedMs.toFixed(1)} ms · ${translation.sourceTokens.length} source tokens → ${translation.targetTokens.length} target tokens`;
  const { attention } = translation;
  if (attention && attention.length > 0 && translation.sourceTokens.length > 0) {
    // The last attention row is the step that produced <eos>.
    heatmap.innerHTML = attentionHeatmap({
      sourceTokens: translation.sourceTokens,
      targetTokens: [...translation.targetTokens, '<eos>'].slice(0, attention.length),
      weights: attention,
      title: `Attention (${where})`,
    });
  } else {
    heatmap.textContent = 'This model has no attention weights to draw.';
  }
  result.dataset.engine = engine;
  result.hidden = false;
}
