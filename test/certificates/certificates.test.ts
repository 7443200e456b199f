import { X509Certificate, generateKeyPairSync } from "crypto";
import {
  CertificateError,
  type CertificateProblem,
  assertUsableForMigration,
  certificateBody,
  derBase64ToPem,
  parseCertificate,
  pemToDerBase64,
} from "../../shared/certificates";
import { createSelfSignedCertificate } from "../../local/selfSignedCertificate";

const DAY_MS = 24 * 60 * 60 * 1000;
const now = new Date("2026-12-01T09:00:00Z");
const deadline = new Date("2027-01-10T00:00:00Z");

function certificate(notBefore: string, notAfter: string, subject = "CN=PeigMigrationManager") {
  return createSelfSignedCertificate({ subject, notBefore: new Date(notBefore), notAfter: new Date(notAfter) });
}

function problemOf(action: () => unknown): { problem: CertificateProblem; message: string } {
  try {
    action();
  } catch (error) {
    if (error instanceof CertificateError) return { problem: error.problem, message: error.message };
    throw error;
  }
  throw new Error("expected a CertificateError");
}

const valid = certificate("2026-12-01T08:00:00Z", "2029-12-01T08:00:00Z");

describe("parseCertificate", () => {
  it("reads Base64 DER as Graph returns it: subject, dates and a 40-hex upper-case thumbprint", () => {
    const info = parseCertificate(valid.derBase64);
    expect(info.subject).toBe("CN=PeigMigrationManager");
    expect(info.notBefore.toISOString()).toBe("2026-12-01T08:00:00.000Z");
    expect(info.notAfter.toISOString()).toBe("2029-12-01T08:00:00.000Z");
    expect(info.thumbprint).toMatch(/^[0-9A-F]{40}$/);
    expect(info.derBase64).toBe(valid.derBase64);
  });

  it("gives the same thumbprint as Node's X509Certificate fingerprint", () => {
    const info = parseCertificate(valid.pem);
    expect(info.thumbprint).toBe(new X509Certificate(info.pem).fingerprint.replace(/:/g, ""));
    expect(valid.thumbprint).toBe(info.thumbprint);
  });

  it("reads PEM with LF line ends, surrounding blanks and Base64 DER with line breaks alike", () => {
    const lf = `\n  ${valid.pem.replace(/\r\n/g, "\n")}  \n`;
    const wrapped = valid.derBase64.replace(/(.{76})/g, "$1\n");
    expect(parseCertificate(lf).thumbprint).toBe(valid.thumbprint);
    expect(parseCertificate(wrapped).thumbprint).toBe(valid.thumbprint);
  });

  it("keeps a multi-part subject in order", () => {
    expect(certificate("2026-12-01T00:00:00Z", "2027-12-01T00:00:00Z", "CN=Peig, O=Contoso").subject).toBe(
      "CN=Peig, O=Contoso",
    );
  });

  it("rejects text that is neither PEM nor Base64 as malformed", () => {
    const { problem, message } = problemOf(() => parseCertificate("this is not a certificate!"));
    expect(problem).toBe("malformed");
    expect(message).toMatch(/neither PEM .* nor valid Base64/);
  });

  it("rejects Base64 with broken padding as malformed", () => {
    expect(problemOf(() => parseCertificate(valid.derBase64.slice(0, -3))).problem).toBe("malformed");
  });

  it("rejects truncated DER as malformed", () => {
    const truncated = Buffer.from(valid.derBase64, "base64").subarray(0, 300).toString("base64");
    const { problem, message } = problemOf(() => parseCertificate(truncated));
    expect(problem).toBe("malformed");
    expect(message).toMatch(/truncated or corrupt/);
  });

  it("rejects DER with trailing bytes as malformed", () => {
    const padded = Buffer.concat([Buffer.from(valid.derBase64, "base64"), Buffer.from([0, 0])]).toString("base64");
    expect(problemOf(() => parseCertificate(padded)).problem).toBe("malformed");
  });

  it("rejects a PEM with damaged BEGIN/END lines as malformed", () => {
    expect(problemOf(() => parseCertificate(valid.pem.replace("-----END CERTIFICATE-----", ""))).problem).toBe(
      "malformed",
    );
  });

  it("rejects a private-key PEM as notCertificate and says to provide the certificate", () => {
    const { privateKey } = generateKeyPairSync("ec", {
      namedCurve: "prime256v1",
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const { problem, message } = problemOf(() => parseCertificate(privateKey));
    expect(problem).toBe("notCertificate");
    expect(message).toContain('"PRIVATE KEY"');
    expect(message).not.toContain(privateKey.split("\n")[1]);
  });

  it("rejects Base64 DER of something other than a certificate as notCertificate", () => {
    const { privateKey } = generateKeyPairSync("ec", {
      namedCurve: "prime256v1",
      privateKeyEncoding: { type: "pkcs8", format: "der" },
      publicKeyEncoding: { type: "spki", format: "der" },
    });
    expect(problemOf(() => parseCertificate(privateKey.toString("base64"))).problem).toBe("notCertificate");
  });

  it("rejects a PEM holding a certificate and a private key as notCertificate", () => {
    const { privateKey } = generateKeyPairSync("ec", {
      namedCurve: "prime256v1",
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    expect(problemOf(() => parseCertificate(`${valid.pem}\n${privateKey}`)).problem).toBe("notCertificate");
  });
});

describe("DER ↔ PEM conversion", () => {
  it("round-trips Base64 DER through PEM unchanged", () => {
    const pem = derBase64ToPem(valid.derBase64);
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\r\n/);
    expect(pem.split("\r\n").every((line) => line.length <= 64)).toBe(true);
    expect(pemToDerBase64(pem)).toBe(valid.derBase64);
    expect(new X509Certificate(pem).fingerprint.replace(/:/g, "")).toBe(valid.thumbprint);
  });

  it("gives Peig's federation step the body without BEGIN/END lines or whitespace", () => {
    const body = certificateBody(valid.pem);
    expect(body).not.toMatch(/\s|-----/);
    expect(body).toBe(valid.derBase64);
  });

  it("refuses to convert a private key to a certificate body", () => {
    const { privateKey } = generateKeyPairSync("ec", {
      namedCurve: "prime256v1",
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    expect(problemOf(() => certificateBody(privateKey)).problem).toBe("notCertificate");
  });
});

describe("assertUsableForMigration", () => {
  const options = { now, deadline, marginMs: 30 * DAY_MS };

  it("accepts a certificate valid now and beyond the deadline plus margin", () => {
    expect(() => assertUsableForMigration(parseCertificate(valid.derBase64), options)).not.toThrow();
  });

  it("accepts a certificate that expires exactly at the deadline plus margin", () => {
    const cert = certificate("2026-11-01T00:00:00Z", "2027-02-09T00:00:00Z");
    expect(() => assertUsableForMigration(cert, options)).not.toThrow();
  });

  it("rejects an expired certificate and says to create a new one", () => {
    const cert = certificate("2023-11-30T00:00:00Z", "2026-11-30T00:00:00Z");
    const { problem, message } = problemOf(() => assertUsableForMigration(cert, options));
    expect(problem).toBe("expired");
    expect(message).toBe(
      "The SAML signing certificate expired on 2026-11-30: create a new certificate with a later end date and make it active.",
    );
  });

  it("rejects a certificate that is not valid yet", () => {
    const cert = certificate("2026-12-02T00:00:00Z", "2029-12-02T00:00:00Z");
    const { problem, message } = problemOf(() => assertUsableForMigration(cert, options));
    expect(problem).toBe("notYetValid");
    expect(message).toMatch(/not valid before 2026-12-02: /);
  });

  it("rejects a certificate that expires before the deadline plus margin, naming both dates and the margin", () => {
    const cert = certificate("2026-11-01T00:00:00Z", "2027-01-02T00:00:00Z");
    const { problem, message } = problemOf(() => assertUsableForMigration(cert, options));
    expect(problem).toBe("expiresBeforeDeadline");
    expect(message).toBe(
      "The SAML signing certificate expires on 2027-01-02, before the migration deadline 2027-01-10 plus the 30-day margin: create a new certificate with a later end date.",
    );
  });

  it("rejects a certificate that outlives the deadline but not the margin", () => {
    const cert = certificate("2026-11-01T00:00:00Z", "2027-01-20T12:30:00Z");
    const { problem, message } = problemOf(() => assertUsableForMigration(cert, options));
    expect(problem).toBe("expiresBeforeDeadline");
    expect(message).toContain("expires on 2027-01-20 12:30 UTC");
  });

  it("leaves the margin out of the message when there is none", () => {
    const cert = certificate("2026-11-01T00:00:00Z", "2027-01-09T00:00:00Z");
    expect(problemOf(() => assertUsableForMigration(cert, { now, deadline, marginMs: 0 })).message).toContain(
      "before the migration deadline 2027-01-10: create",
    );
  });
});

describe("createSelfSignedCertificate", () => {
  it("issues distinct certificates (serial, thumbprint) from the cached key pair", () => {
    const a = certificate("2026-12-01T00:00:00Z", "2029-12-01T00:00:00Z");
    const b = certificate("2026-12-01T00:00:00Z", "2029-12-01T00:00:00Z");
    expect(a.thumbprint).not.toBe(b.thumbprint);
    const x509 = new X509Certificate(a.pem);
    expect(x509.subject).toBe("CN=PeigMigrationManager");
    expect(x509.issuer).toBe("CN=PeigMigrationManager");
    expect(x509.verify(x509.publicKey)).toBe(true);
  });
});
