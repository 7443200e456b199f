/**
 * Runbook Phase 1 side effects: read [SERVER], create PeigMigrationManager, set the migration
 * configuration in Peig. Each is idempotent: a re-run finds what the first run made.
 */
import { assertUsableForMigration, parseCertificate } from "../shared/certificates";
import { serverFromIdpEntityId } from "../shared/entra/entityIds";
import { loadMigration, updateRuntime } from "../shared/migrationRecord";
import type { ApiModeServices, Services } from "../shared/services";
import { DAY } from "../shared/domain/duration";
import { apiModeOnly } from "./apiModeOnly";

/** Graph caps addTokenSigningCertificate's endDateTime at three years (docs/graph-facts.md#the-signing-certificate). */
const MAX_CERTIFICATE_LIFETIME = 3 * 365 * DAY;
const CLOCK_SKEW_MS = 5 * 60_000;

/** [SERVER] from Peig's SAML IDP Info (api mode) or from the IDP Entity ID given at start. */
export async function resolvePeigServer(input: { migrationId: string }, s: Services): Promise<string> {
  const { runtime } = await loadMigration(s, input.migrationId);
  if (runtime.server) return runtime.server;
  const idpEntityId = s.peig ? (await s.peig.getSamlIdpInfo()).idpEntityId : runtime.request.idpEntityId;
  if (!idpEntityId)
    throw new Error(
      "No IDP Entity ID: operator mode needs idpEntityId in the start request (Peig: Configuration > SAML IDP Info).",
    );
  const server = serverFromIdpEntityId(idpEntityId);
  await updateRuntime(s, input.migrationId, (rt) => void (rt.server = server));
  await s.store.appendAudit({
    migrationId: input.migrationId,
    actor: "system",
    action: "peig.server.resolved",
    details: { server, source: s.peig ? "SAML IDP Info" : "start request" },
  });
  return server;
}

/**
 * Creates (or finds and completes) the Entra app with SAML SSO and an active signing certificate, for the
 * [SERVER] resolvePeigServer stored.
 */
export async function createMigrationApp(
  input: { migrationId: string },
  s: Services,
): Promise<{ appId: string; thumbprint: string; certificateNotAfter: string }> {
  const { record, runtime } = await loadMigration(s, input.migrationId);
  if (!runtime.server) throw new Error("the Peig server must be resolved before the migration app is created");
  const now = s.clock.now();
  const deadline = new Date(record.deadline);
  const marginMs = s.settings.CERTIFICATE_MARGIN_DAYS * DAY;
  // Valid well past the deadline (extensions happen), within Graph's three-year cap.
  const certificateEnd = new Date(
    Math.min(
      now.getTime() + MAX_CERTIFICATE_LIFETIME,
      Math.max(deadline.getTime() + marginMs + 365 * DAY, now.getTime()),
    ),
  );
  const app = await s.entra.ensureMigrationApp({
    displayName: s.settings.MIGRATION_APP_NAME,
    server: runtime.server,
    knownAppId: runtime.app?.appId,
    certificateEndDateTime: certificateEnd,
    migrationId: input.migrationId,
    adoptableMigrationIds: await endedMigrationsWithApps(s, input.migrationId),
    instantiated: runtime.app ? undefined : runtime.instantiatedApp,
    onInstantiated: async (made) => {
      await updateRuntime(s, input.migrationId, (rt) => void (rt.instantiatedApp = made));
    },
  });
  // Peig will trust this certificate for the whole window: refuse one that ends too early. Entra dates a
  // new certificate from its own clock, so allow a few minutes of skew for its start.
  assertUsableForMigration(parseCertificate(app.certificatePem), {
    now: new Date(s.clock.now().getTime() + CLOCK_SKEW_MS),
    deadline,
    marginMs,
  });
  await updateRuntime(s, input.migrationId, (rt) => {
    const { created: _created, adoptedFrom: _adoptedFrom, ...made } = app;
    rt.app = made;
    return { appId: app.appId };
  });
  const details = {
    appId: app.appId,
    entityId: app.entityId,
    replyUrl: app.replyUrl,
    thumbprint: app.thumbprint,
    certificateNotAfter: app.certificateNotAfter,
  };
  if (app.adoptedFrom) {
    // Both migrations' audits say where the app went: the cancelled one still names it.
    await s.store.appendAudit({
      migrationId: app.adoptedFrom,
      actor: "system",
      action: "entraApp.handedOver",
      details: { appId: app.appId, toMigrationId: input.migrationId },
    });
    await s.store.appendAudit({
      migrationId: input.migrationId,
      actor: "system",
      action: "entraApp.adopted",
      details: { ...details, fromMigrationId: app.adoptedFrom },
    });
  } else {
    await s.store.appendAudit({
      migrationId: input.migrationId,
      actor: "system",
      action: app.created ? "entraApp.created" : "entraApp.found",
      details,
    });
  }
  return { appId: app.appId, thumbprint: app.thumbprint, certificateNotAfter: app.certificateNotAfter };
}

/**
 * Migrations of this app that ended without deleting their Entra app (cancelled, or failed before the
 * deletion): a new migration for the same Peig server takes that app over, since Entra lets only one
 * application hold the server's Entity ID.
 */
async function endedMigrationsWithApps(s: Services, migrationId: string): Promise<string[]> {
  const ended = [
    ...(await s.store.listMigrations({ status: "cancelled" })),
    ...(await s.store.listMigrations({ status: "failed" })),
  ];
  return ended
    .filter((m) => m.id !== migrationId && (m.runtime.app ?? m.runtime.instantiatedApp)?.appId)
    .map((m) => m.id);
}

/** Api mode: Configuration > Microsoft 365 Active Provider > Migration: Application ID + certificate, Validate, Save. */
export async function configurePeigMigration(
  input: { migrationId: string },
  s: ApiModeServices,
): Promise<"saved" | "unchanged"> {
  const { runtime } = await loadMigration(s, input.migrationId);
  if (!runtime.app) throw new Error("the Entra migration app must exist before Peig is configured");
  const config = { applicationId: runtime.app.appId, idpCertificatePem: runtime.app.certificatePem };
  const existing = await s.peig.getMigrationConfiguration();
  if (
    existing.state === "saved" &&
    existing.configuration.applicationId === config.applicationId &&
    existing.configuration.certificateThumbprint === runtime.app.thumbprint
  )
    return "unchanged";
  const validation = await s.peig.validateMigrationConfiguration(config);
  if (!validation.valid)
    throw new Error(`Peig rejected the migration configuration: ${validation.problems.join("; ")}`);
  const result = await s.peig.saveMigrationConfiguration(config);
  await s.store.appendAudit({
    migrationId: input.migrationId,
    actor: "system",
    action: "peig.migrationConfig.saved",
    details: { applicationId: config.applicationId, thumbprint: runtime.app.thumbprint, result },
  });
  return result;
}

/** This file's activities, under the names the orchestrations call them by (activities/index.ts). */
export const setupActivities = {
  resolvePeigServer,
  createMigrationApp,
  configurePeigMigration: apiModeOnly(configurePeigMigration),
};
