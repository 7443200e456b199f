/**
 * Self-signed RSA certificates for the Peig simulator (its own SAML IdP certificate) and for tests
 * (valid, expired, not-yet-valid migration certificates). The key pair comes from node:crypto because
 * forge's pure-JS RSA key generation takes seconds.
 */
import { generateKeyPairSync } from "node:crypto";
import forge from "node-forge";

export function createSelfSignedCertificatePem(options: { commonName: string; notBefore: Date; notAfter: Date }): string {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  // A positive serial (leading byte < 0x80), unique enough for a simulator.
  cert.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(15))}`;
  cert.validity.notBefore = options.notBefore;
  cert.validity.notAfter = options.notAfter;
  const name = [{ name: "commonName", value: options.commonName }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}
