/**
 * @file The page's wiring: load the model into the browser, then translate on submit, either here (the default)
 * or through the server's JSON API, to compare the two.
 */
import type { TextTranslation, Translator } from '../src/translator.js';
import { initRuntime, loadBrowserTranslator } from './browser-model.js';
import { type Engine, renderTranslation } from './render.js';

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`page: no element #${id}`);
  return element as T;
}

const form = byId<HTMLFormElement>('form');
const source = byId<HTMLTextAreaElement>('source');
const beam = byId<HTMLInputElement>('beam');
const button = byId<HTMLButtonElement>('translate');
const errorBox = byId<HTMLElement>('error');
const output = {
  result: byId<HTMLElement>('result'),
  translation: byId<HTMLElement>('translation'),
  timing: byId<HTMLElement>('timing'),
  heatmap: byId<HTMLElement>('heatmap'),
};

let translator: Translator | null = null;

function showError(message: string | null): void {
  errorBox.textContent = message ?? '';
  errorBox.hidden = message === null;
}

async function translateOnServer(text: string, beamSize: number): Promise<TextTranslation> {
  const response = await fetch('./api/translate', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ text, beam: beamSize }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`server: ${body.error ?? response.statusText}`);
  return body.translations[0];
}

async function onSubmit(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const engine = (new FormData(form).get('engine') as Engine | null) ?? 'browser';
  const beamSize = Math.max(1, Math.min(8, Math.round(Number(beam.value) || 1)));
  button.disabled = true;
  showError(null);
  output.result.dataset.engine = '';
  try {
    // Let the page repaint (button disabled) before the synchronous in-browser decode takes the thread.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const started = performance.now();
    const translation =
      engine === 'browser' && translator
        ? translator.translate([source.value], { beamSize })[0]
        : await translateOnServer(source.value, beamSize);
    renderTranslation(output, translation, engine, performance.now() - started);
  } catch (error) {
    showError(error instanceof Error ? error.message : String(error));
  } finally {
    button.disabled = false;
  }
}

async function start(): Promise<void> {
  form.addEventListener('submit', (event) => void onSubmit(event));
  try {
    const [runtime, loaded] = await Promise.all([initRuntime(), loadBrowserTranslator()]);
    translator = loaded.translator;
    const { kind } = translator.config.model;
    const { src, tgt } = translator.config.languages;
    byId('model').textContent =
      `Model: ${kind}, ${src} → ${tgt}, ${(loaded.bytes / 1024).toFixed(0)} KiB of weights, running in this page.`;
    byId('source-label').textContent = `Sentence (${src})`;
    const variant = runtime.wasmVariant ? ` (${runtime.wasmVariant})` : '';
    const isolation = runtime.crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated';
    const runtimeElement = byId('runtime');
    runtimeElement.textContent = `Backend: ${runtime.backend}${variant} · threads: ${runtime.threads} · ${isolation}`;
    Object.assign(runtimeElement.dataset, {
      backend: runtime.backend,
      threads: String(runtime.threads),
      isolated: String(runtime.crossOriginIsolated),
    });
    button.disabled = false;
    document.body.dataset.ready = 'true';
  } catch (error) {
    showError(`Could not load the model: ${error instanceof Error ? error.message : String(error)}`);
  }
}

void start();
