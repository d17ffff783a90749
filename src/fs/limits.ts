// Size caps for files that no parser of ours owns (a parser's own cap sits next to it:
// MAX_POLICY_BYTES, MAX_BUNDLE_BYTES, MAX_INPUT_BYTES). docs/security.md lists them all.

/** A PEM file of extra CA certificates; the system's whole CA bundle is about 200 KiB. */
export const MAX_CA_FILE_BYTES = 4 * 2 ** 20;

/** Docker's config.json: a few credentials, or a few thousand with many registries. */
export const MAX_DOCKER_CONFIG_BYTES = 2 ** 20;

/** The service's certificate chain or private key (PEM): a few KiB. */
export const MAX_TLS_FILE_BYTES = 2 ** 20;

/** The service's --cache-key-file: a key of 32 bytes or more, as text, not a document. */
export const MAX_CACHE_KEY_FILE_BYTES = 4096;

/** How long a file that is a pipe may take to arrive when no deadline is given. */
export const DEFAULT_PIPE_WAIT_MS = 2_000;
