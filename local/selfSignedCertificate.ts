/**
 * Self-signed certificates like the ones Entra creates for `addTokenSigningCertificate`: subject = the
 * `displayName` ("CN=…"), issuer = subject, RSA 2048, valid from the creation time to `endDateTime`.
 * https://learn.microsoft.com/en-us/graph/api/serviceprincipal-addtokensigningcertificate?view=graph-rest-1.0
 */
import { createSign, generateKeyPairSync, randomBytes } from "crypto";
import forge from "node-forge";
import { parseCertificate } from "../shared/certificates";

export interface GeneratedCertificate {
  derBase64: string;
  pem: string;
  thumbprint: string /* SHA-1 of DER, 40 upper-case hex */;
  notBefore: Date;
  notAfter: Date;
  subject: string;
}

interface KeyPair {
  publicKey: forge.pki.rsa.PublicKey;
  /** PKCS#1 PEM, for Node's native signer. */
  privateKeyPem: string;
}

/**
 * One key pair per process and size: RSA generation costs far more than signing, and simulated certificates
 * only need to differ by serial, subject and dates.
 */
const keyPairs = new Map<number, KeyPair>();

/**
 * Where a process finds a 2048-bit private key (PKCS#1 PEM) handed down by its parent. Jest's global setup
 * (test/globalSetup.ts) makes one for the whole run: each test file is a fresh module registry and would
 * otherwise generate its own, about a tenth of a second of CPU per file.
 */
export const SIMULATOR_KEY_ENV = "LOCAL_SIMULATOR_SIGNING_KEY";

/** A new RSA private key, PKCS#1 PEM (Node's native generator is much faster than forge's pure-JavaScript one). */
export function generatePrivateKeyPem(bits = 2048): string {
  return generateKeyPairSync("rsa", {
    modulusLength: bits,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "pkcs1", format: "pem" },
  }).privateKey;
}

function keyPair(bits: number): KeyPair {
  let pair = keyPairs.get(bits);
  if (!pair) {
    const handedDown = bits === 2048 ? process.env[SIMULATOR_KEY_ENV] : undefined;
    const privateKey = handedDown || generatePrivateKeyPem(bits);
    const forgeKey = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
    pair = { privateKeyPem: privateKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
    keyPairs.set(bits, pair);
  }
  return pair;
}

/** "CN=Peig, O=Contoso" → forge attributes; Graph requires the display name to start with "CN=". */
function subjectAttributes(subject: string): forge.pki.CertificateField[] {
  if (!subject.startsWith("CN=")) throw new Error(`Certificate subject must start with "CN=": ${subject}`);
  return subject.split(/,\s*/).map((part) => {
    const separator = part.indexOf("=");
    return { shortName: part.slice(0, separator).trim(), value: part.slice(separator + 1) };
  });
}

/** X.509 validity has whole seconds; dropping milliseconds keeps the returned dates equal to the encoded ones. */
function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

export function createSelfSignedCertificate(options: {
  subject: string /* "CN=…" */;
  notBefore: Date;
  notAfter: Date;
  keyBits?: number;
}): GeneratedCertificate {
  const { publicKey, privateKeyPem } = keyPair(options.keyBits ?? 2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial (leading byte below 0x80) that differs for every certificate.
  cert.serialNumber = `0${randomBytes(16).toString("hex").slice(1)}`;
  cert.validity.notBefore = wholeSeconds(options.notBefore);
  cert.validity.notAfter = wholeSeconds(options.notAfter);
  const attributes = subjectAttributes(options.subject);
  cert.setSubject(attributes);
  cert.setIssuer(attributes);
  signNatively(cert, privateKeyPem);

  const info = parseCertificate(forge.pki.certificateToPem(cert));
  return {
    derBase64: info.derBase64,
    pem: info.pem,
    thumbprint: info.thumbprint,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    subject: info.subject,
  };
}

/** forge exports it (lib/x509.js) but its type declarations leave it out. */
interface ForgeTbs {
  getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1;
}

/**
 * What forge's cert.sign(key, sha256) does, with Node's native RSA signer: forge's pure-JavaScript RSA takes
 * seconds per signature inside jest's module sandbox, and every simulated setup signs one certificate.
 */
function signNatively(cert: forge.pki.Certificate, privateKeyPem: string): void {
  cert.md = forge.md.sha256.create();
  cert.signatureOid = cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption;
  cert.tbsCertificate = (forge.pki as typeof forge.pki & ForgeTbs).getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), "binary");
  cert.signature = createSign("sha256").update(tbs).sign(privateKeyPem).toString("binary");
}
