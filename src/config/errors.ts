/** Invalid configuration: one message per problem, each naming the setting. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(problems.join("; "));
  }
}
