/**
 * Peig's SAML endpoints for the migration app, derived from the Peig IDP Entity ID
 * (https://docs.peig.io/welcome-to-peig-documentation/deployment-guides/microsoft-365/user-migration:
 * Entity ID https://[SERVER]/aducid-onboard/m365/metadata, Reply URL https://[SERVER]/aducid-onboard/m365/acs).
 */
const expectedForm = "https://[SERVER]/idp/shibboleth";

/** [SERVER] (host[:port]) from `https://[SERVER]/idp/shibboleth`; anything else is rejected. */
export function serverFromIdpEntityId(idpEntityId: string): string {
  const reject = (why: string): never => {
    throw new Error(`IDP Entity ID ${JSON.stringify(idpEntityId)} ${why}; expected the form ${expectedForm}`);
  };
  let url: URL;
  try {
    url = new URL(idpEntityId.trim());
  } catch {
    return reject("is not a URL");
  }
  if (url.protocol !== "https:") reject("must use https");
  if (url.username || url.password) reject("must not contain credentials");
  if (url.search || url.hash || idpEntityId.includes("?") || idpEntityId.includes("#"))
    reject("must not have a query or fragment");
  if (url.pathname !== "/idp/shibboleth") reject("must have the path /idp/shibboleth and nothing beyond it");
  if (!url.hostname) reject("has no host");
  return url.host;
}

/** Peig's own SAML IdP endpoints on [SERVER], as Configuration > SAML IDP Info shows them (what step 5, federation, needs). */
export function peigIdpEndpoints(server: string): { idpEntityId: string; signInUrl: string; signOutUrl: string } {
  return {
    idpEntityId: `https://${server}/idp/shibboleth`,
    signInUrl: `https://${server}/idp/profile/SAML2/POST/SSO`,
    signOutUrl: `https://${server}/idp/profile/Logout`,
  };
}

export function migrationEntityId(server: string): string {
  return `https://${server}/aducid-onboard/m365/metadata`;
}

export function migrationReplyUrl(server: string): string {
  return `https://${server}/aducid-onboard/m365/acs`;
}
