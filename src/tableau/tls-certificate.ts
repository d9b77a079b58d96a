/** TLS certificate failures of a fetch, told apart from other network errors. */

/** TLS certificate failures (Node/OpenSSL codes): a retry cannot fix them, the caller's trust store can. */
const TLS_CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The TLS certificate code of a fetch error (node-fetch sets `code`, undici its `cause.code`). */
export function tlsCertificateCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && TLS_CERTIFICATE_CODES.has(code)) return code;
    current = current.cause;
  }
  return null;
}
