// Readers of single environment settings: a bad value is recorded as one problem naming
// the setting (the caller lists them all at once) and the default stands in meanwhile.

export function intSetting(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
    return def;
  }
  return n;
}

export function boolSetting(env: NodeJS.ProcessEnv, name: string, def: boolean, problems: string[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return def;
  if (["true", "1", "on", "yes"].includes(raw.toLowerCase())) return true;
  if (["false", "0", "off", "no"].includes(raw.toLowerCase())) return false;
  problems.push(`${name} must be true or false (got "${raw}")`);
  return def;
}
