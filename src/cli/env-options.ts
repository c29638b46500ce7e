/**
 * Reads an option from the command line, then from its environment variable, then a default:
 * every setting of a long-running process can be given either way (containers prefer the
 * environment, people the flags).
 */
export const fromFlagOrEnv = (
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  variable: string,
  fallback?: string,
): string | undefined => flag ?? nonEmpty(env[variable]) ?? fallback;

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value;
