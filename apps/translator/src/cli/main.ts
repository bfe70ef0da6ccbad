#!/usr/bin/env node
/**
 * @file The `translator` command: train, translate, eval, serve and experiment, one module per command under
 * commands/. Usage mistakes print the usage and exit with 2; other errors print their message and exit with 1.
 */
import { UsageError } from './args.js';
import { evalCommand, evalUsage } from './commands/eval.js';
import { experimentCommand, experimentUsage } from './commands/experiment.js';
import { serveCommand, serveUsage } from './commands/serve.js';
import { trainCommand, trainUsage } from './commands/train.js';
import { translateCommand, translateUsage } from './commands/translate.js';
import { isMainModule } from './is-main.js';

const usage = `Usage:
  ${trainUsage.replaceAll('\n', '\n  ')}
  ${translateUsage.replaceAll('\n', '\n  ')}
  ${evalUsage.replaceAll('\n', '\n  ')}
  ${serveUsage.replaceAll('\n', '\n  ')}
  ${experimentUsage.replaceAll('\n', '\n  ')}

Run "translator COMMAND --help" for a command's options.`;

export interface CliIo {
  log: (line: string) => void;
  error: (line: string) => void;
  readStdin: () => Promise<string>;
}

const processIo: CliIo = {
  log: (line) => console.log(line),
  error: (line) => console.error(line),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

/** Runs one command line (without "node translator") and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'train':
        return await trainCommand(rest, io.log);
      case 'translate':
        return await translateCommand(rest, io.log, io.readStdin);
      case 'eval':
        return await evalCommand(rest, io.log);
      case 'serve':
        return await serveCommand(rest, io.log);
      case 'experiment':
        return await experimentCommand(rest, io.log);
      case 'help':
      case '--help':
      case '-h':
      case undefined:
        io.log(usage);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`translator: unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.error(`${error.message}\n\n${usage}`);
      return 2;
    }
    io.error(`translator ${command}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (isMainModule(import.meta.url)) {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
