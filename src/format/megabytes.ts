/** Bytes as people read them in summaries: "33.2 MB" (binary megabytes, one decimal). */
export const megabytes = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
