/**
 * Activities that only api mode has: they call Peig's admin API. Operator mode has no API to call (the Peig admin
 * does the same step through a task), so its services hold no Peig client and the orchestration never calls
 * these there; if one is called anyway, it fails saying so instead of reaching for a client that is not there.
 */
import type { ApiModeServices, Services } from "../shared/services";

const inApiMode = (s: Services): s is ApiModeServices => s.peig !== undefined;

export function apiModeOnly<I, R>(
  handler: (input: I, s: ApiModeServices) => Promise<R>,
): (input: I, s: Services) => Promise<R> {
  return async (input, s) => {
    if (!inApiMode(s))
      throw new Error("this step runs in api mode only (PEIG_MODE=api); in operator mode the Peig admin does it");
    return handler(input, s);
  };
}
