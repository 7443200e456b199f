/**
 * The SAML signing certificate as the migration handles it: Graph returns it as Base64 DER
 * (selfSignedCertificate.key, https://learn.microsoft.com/en-us/graph/api/serviceprincipal-addtokensigningcertificate?view=graph-rest-1.0),
 * Peig's migration form takes it as PEM, and Peig's federation step wants the bare Base64 body
 * (https://docs.peig.io/welcome-to-peig-documentation/deployment-guides/microsoft-365/federation-setup).
 * Certificates are compared by SHA-1 thumbprint of the DER bytes, never by PEM text, because line wrapping and
 * line endings differ between sources.
 */
import forge from "node-forge";

export type CertificateProblem = "malformed" | "notCertificate" | "expired" | "notYetValid" | "expiresBeforeDeadline";

export class CertificateError extends Error {
  override readonly name = "CertificateError";
  constructor(
    readonly problem: CertificateProblem,
    message: string,
  ) {
    super(message);
  }
}

export interface CertificateInfo {
  pem: string;
  derBase64: string;
  /** SHA-1 of the DER bytes, 40 upper-case hex characters: the form Graph's `thumbprint` and `preferredTokenSigningKeyThumbprint` use. */
  thumbprint: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
}

const PEM_MARKER = "-----BEGIN ";
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Base64 text → DER bytes as a forge binary string; whitespace (line breaks in pasted text) is ignored. */
function decodeBase64(text: string): string {
  const compact = text.replace(/\s+/g, "");
  if (compact.length === 0 || !BASE64.test(compact)) {
    throw new CertificateError(
      "malformed",
      'The certificate is neither PEM (-----BEGIN CERTIFICATE-----) nor valid Base64: copy the "Certificate (Base64)" from the enterprise app\'s SAML signing certificate again, without extra characters.',
    );
  }
  return forge.util.decode64(compact);
}

/** The DER bytes of the single CERTIFICATE block in a PEM text. */
function derFromPem(pem: string): string {
  let blocks: forge.pem.ObjectPEM[];
  try {
    blocks = forge.pem.decode(pem);
  } catch {
    blocks = [];
  }
  if (blocks.length === 0) {
    throw new CertificateError(
      "malformed",
      "The PEM text is damaged (BEGIN/END lines or Base64 body): copy the whole certificate again, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.",
    );
  }
  const other = blocks.find((b) => b.type !== "CERTIFICATE");
  if (other) {
    throw new CertificateError(
      "notCertificate",
      `The PEM text holds a "${other.type}", not a certificate: provide only the public SAML signing certificate (-----BEGIN CERTIFICATE-----), never a private key.`,
    );
  }
  if (blocks.length > 1) {
    throw new CertificateError(
      "malformed",
      `The PEM text holds ${blocks.length} certificates: provide only the enterprise app's SAML signing certificate.`,
    );
  }
  return blocks[0].body;
}

function toForgeCertificate(der: string): forge.pki.Certificate {
  let asn1: forge.asn1.Asn1;
  try {
    // Strict, and forge also rejects trailing bytes by default (parseAllBytes): the input must be exactly one DER object.
    asn1 = forge.asn1.fromDer(der, true);
  } catch {
    throw new CertificateError(
      "malformed",
      "The certificate data is truncated or corrupt (not valid DER): copy the certificate again from the enterprise app's SAML signing certificate.",
    );
  }
  try {
    return forge.pki.certificateFromAsn1(asn1);
  } catch (error) {
    // forge reads RSA keys only; Entra's SAML signing certificates are RSA, so anything else is not the one we need.
    const reason = error instanceof Error && /RSA/.test(error.message) ? " (its key is not RSA)" : "";
    throw new CertificateError(
      "notCertificate",
      `The data is not an X.509 certificate Entra issues for SAML signing${reason}: provide the enterprise app's SAML signing certificate.`,
    );
  }
}

function distinguishedName(cert: forge.pki.Certificate): string {
  return cert.subject.attributes.map((a) => `${a.shortName ?? a.name ?? a.type}=${String(a.value)}`).join(", ");
}

export function derBase64ToPem(derBase64: string): string {
  return forge.pem.encode({ type: "CERTIFICATE", body: decodeBase64(derBase64) });
}

export function pemToDerBase64(pem: string): string {
  return forge.util.encode64(derFromPem(pem));
}

/** Accepts PEM ("-----BEGIN CERTIFICATE-----") or bare Base64 DER (what Graph returns); anything else is a CertificateError with a clear message. */
export function parseCertificate(input: string): CertificateInfo {
  const text = input.trim();
  const der = text.includes(PEM_MARKER) ? derFromPem(text) : decodeBase64(text);
  const cert = toForgeCertificate(der);
  const derBase64 = forge.util.encode64(der);
  return {
    // Built from the original bytes, not re-encoded by forge, so the thumbprint always matches the PEM.
    pem: forge.pem.encode({ type: "CERTIFICATE", body: der }),
    derBase64,
    thumbprint: forge.md.sha1.create().update(der).digest().toHex().toUpperCase(),
    subject: distinguishedName(cert),
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
  };
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** "2027-01-02" at midnight UTC, otherwise "2027-01-02 13:45 UTC". */
function formatDate(date: Date): string {
  const iso = date.toISOString();
  return date.getTime() % DAY_MS === 0 ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** "30-day", "12-hour" or "90-minute", whichever unit divides the margin exactly. */
function formatMargin(ms: number): string {
  if (ms % DAY_MS === 0) return `${ms / DAY_MS}-day`;
  if (ms % HOUR_MS === 0) return `${ms / HOUR_MS}-hour`;
  return `${Math.round(ms / MINUTE_MS)}-minute`;
}

/** Throws CertificateError unless the certificate is valid at `now` and still valid at `deadline + marginMs`. */
export function assertUsableForMigration(
  cert: CertificateInfo,
  options: { now: Date; deadline: Date; marginMs: number },
): void {
  const { now, deadline, marginMs } = options;
  if (now.getTime() < cert.notBefore.getTime()) {
    throw new CertificateError(
      "notYetValid",
      `The SAML signing certificate is not valid before ${formatDate(cert.notBefore)}: create a certificate whose start date is today, or check this machine's clock.`,
    );
  }
  if (now.getTime() > cert.notAfter.getTime()) {
    throw new CertificateError(
      "expired",
      `The SAML signing certificate expired on ${formatDate(cert.notAfter)}: create a new certificate with a later end date and make it active.`,
    );
  }
  if (cert.notAfter.getTime() < deadline.getTime() + marginMs) {
    const margin = marginMs > 0 ? ` plus the ${formatMargin(marginMs)} margin` : "";
    throw new CertificateError(
      "expiresBeforeDeadline",
      `The SAML signing certificate expires on ${formatDate(cert.notAfter)}, before the migration deadline ${formatDate(deadline)}${margin}: create a new certificate with a later end date.`,
    );
  }
}

/** Peig's federation step wants the certificate without whitespace or BEGIN/END lines (docs/peig-ui.md#related-facts-from-the-admin-guide). */
export function certificateBody(pem: string): string {
  // The Base64 of the DER bytes is exactly the PEM body with line breaks and armour removed.
  return pemToDerBase64(pem);
}
