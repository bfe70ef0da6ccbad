/** @file Environment variables where the runtime has them (Node, Deno, Bun), without importing anything Node-only. */

/** The variable's value, or undefined where it is unset, empty, or the runtime has no environment. */
export function environmentVariable(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.[name] || undefined;
}
