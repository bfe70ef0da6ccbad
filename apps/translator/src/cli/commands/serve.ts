/**
 * @file `translator serve`: a JSON HTTP API over a trained checkpoint and the web page that runs the same model
 * in the browser. Runs until Ctrl-C or SIGTERM, then closes cleanly (queued translations finish first).
 */
import { loadServedModel } from '../../serve/served-model.js';
import { startServer } from '../../serve/server.js';
import { defined, numberOption, parse, stringOption, UsageError } from '../args.js';

export const serveUsage = `translator serve --model DIR [--port P] [--host H] [--max-queue N]
                    (default: port 8080 on 127.0.0.1; --port 0 picks a free port)`;

const spec = {
  model: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'max-queue': { type: 'string' },
} as const;

/** Resolves once the process is asked to stop (SIGINT or SIGTERM). */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `stop` resolves when the server should close (default: on the first SIGINT or SIGTERM); tests pass their own. */
export async function serveCommand(
  argv: readonly string[],
  log: (line: string) => void,
  stop: () => Promise<unknown> = untilSignal,
): Promise<number> {
  const args = parse('serve', argv, spec);
  if (args.values.help) {
    log(serveUsage);
    return 0;
  }
  const modelDir = stringOption(args, 'model');
  if (!modelDir) throw new UsageError('translator serve: --model DIR is required');
  const port = numberOption(args, 'port', { integer: true, min: 0, max: 65535 }) ?? 8080;
  const host = stringOption(args, 'host') ?? '127.0.0.1';
  const maxQueue = numberOption(args, 'max-queue', { integer: true, min: 1 });
  // Listen for signals before the (slow) model load, so a Ctrl-C during it is not lost.
  const stopped = stop();
  const model = await loadServedModel(modelDir);
  const running = await startServer({ model, port, host, limits: defined({ maxQueue }) });
  const { kind } = model.translator.config.model;
  const { src, tgt } = model.translator.config.languages;
  log(`serving ${model.dir} (${kind}, ${src} → ${tgt}) at ${running.url}`);
  log(
    `  page ${running.url}   API POST ${running.url}api/translate   health ${running.url}api/health   (Ctrl-C stops)`,
  );
  await stopped;
  log('stopping: finishing queued translations');
  await running.close();
  log('stopped');
  return 0;
}
