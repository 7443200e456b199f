/**
 * Stand-in for the `@azure/functions-core` module that only the real Functions worker provides.
 *
 * `@azure/functions` requires it lazily on the first `app.*` call; when it is missing the package
 * switches to "test mode" and silently drops every registration. Resolving the module name to this
 * file (jest `moduleNameMapper`, or `installCoreShim()` for plain Node) lets us capture each
 * function's binding metadata together with the exact callback the worker would invoke.
 */

export interface CoreBinding {
  type: string;
  direction: "in" | "out";
  name?: string;
  route?: string;
  methods?: string[];
  authLevel?: "anonymous" | "function" | "admin";
  [key: string]: unknown;
}

export interface CoreFunctionMetadata {
  name: string;
  bindings: Record<string, CoreBinding>;
  retryOptions?: unknown;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CoreCallback = (...args: any[]) => unknown;

export interface Registration {
  metadata: CoreFunctionMetadata;
  callback: CoreCallback;
}

/** Every function registered since the last `resetRegistry()`, by name. */
export const registry = new Map<string, Registration>();

export function registerFunction(metadata: CoreFunctionMetadata, callback: CoreCallback): { dispose(): void } {
  if (registry.has(metadata.name)) {
    throw new Error(
      `Function "${metadata.name}" is registered twice. Function names must be unique within the app ` +
        `(the Functions host refuses to start otherwise).`,
    );
  }
  registry.set(metadata.name, { metadata, callback });
  return { dispose: () => registry.delete(metadata.name) };
}

export function resetRegistry(): void {
  registry.clear();
}

// The worker calls these; the local host has nothing to do for them.
export function setProgrammingModel(_model: unknown): void {}
export function getProgrammingModel(): unknown {
  return undefined;
}
export function registerHook(_hookName: string, _callback: unknown): { dispose(): void } {
  return { dispose() {} };
}
export function log(_level: string, _category: string, _message: string): void {}

export const version = "local";
export const hostVersion = "local";
