// Defaults shared by the schema's arguments and the resolvers that check them.

/** `first` when a client gives none. The ceiling is LAKEQL_MAX_PAGE_SIZE. */
export const DEFAULT_PAGE_SIZE = 100;

/** Seconds a download URL stays valid when a client gives no `expiresIn`. */
export const DEFAULT_URL_EXPIRY = 900;
