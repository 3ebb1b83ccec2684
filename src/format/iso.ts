/** ISO 8601 or null: how every timestamp leaves mpsync (CLI JSON, admin API, read API). */
export const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
