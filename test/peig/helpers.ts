/** Shared set-up for the Peig tests: a small seeded tenant, certificates on the test clock, a simulator with its client. */
import { PeigApiClient } from "../../shared/peig/apiClient";
import type { RetryPolicy } from "../../shared/retry";
import { generateTenant, type Tenant } from "../../local/fixtures/tenant";
import { VirtualClock } from "../../local/host/clocks";
import { startPeigSimulator, type PeigSimulatorHandle, type PeigSimulatorOptions } from "../../local/peig-simulator";
import { createSelfSignedCertificate } from "../../local/selfSignedCertificate";

export const dayMs = 24 * 60 * 60 * 1000;
export const applicationId = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

const certificates = new Map<string, string>();

/** RSA key generation is the slow part of these tests, so each validity range is made once per file. */
export function certificateValidFor(clock: VirtualClock, fromDays: number, toDays: number): string {
  const now = clock.now().getTime();
  const key = `${now}|${fromDays}|${toDays}`;
  const cached = certificates.get(key);
  if (cached) return cached;
  const { pem } = createSelfSignedCertificate({
    subject: "CN=Microsoft Azure Federated SSO Certificate",
    notBefore: new Date(now + fromDays * dayMs),
    notAfter: new Date(now + toDays * dayMs),
  });
  certificates.set(key, pem);
  return pem;
}

export interface PeigTestRig {
  clock: VirtualClock;
  tenant: Tenant;
  simulator: PeigSimulatorHandle;
  client: PeigApiClient;
}

export async function startRig(
  options: Partial<Omit<PeigSimulatorOptions, "clock">> & { retryPolicy?: RetryPolicy; tenantSize?: number } = {},
): Promise<PeigTestRig> {
  const clock = new VirtualClock();
  const tenant =
    options.tenant ?? generateTenant({ users: options.tenantSize ?? 40, seed: 7, missRate: 0.3, mismatchRate: 0.15 });
  const simulator = await startPeigSimulator({ ...options, clock, tenant });
  const client = new PeigApiClient({
    baseUrl: simulator.baseUrl,
    apiKey: simulator.apiKey,
    clock,
    retryPolicy: options.retryPolicy,
  });
  return { clock, tenant, simulator, client };
}
