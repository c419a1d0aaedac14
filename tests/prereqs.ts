import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The system programs the browser, PACS and team suites start, checked first thing in their global
 * setups: a missing one stops the run with its Debian package and the command that installs it
 * (scripts/prereqs.sh, npm test's pretest, installs them all when run as root).
 */
export interface SystemProgram {
  /** What the user reads, e.g. "Chromium". */
  label: string;
  /** Debian packages that provide it. */
  packages: string[];
  /** An environment variable that names the program's path instead (checked first). */
  env?: string;
  /** Absolute paths tried in order, then `names` on PATH. */
  paths: string[];
  names?: string[];
}

export const CHROMIUM: SystemProgram = { label: 'Chromium', packages: ['chromium'], env: 'CHROMIUM_PATH', paths: ['/usr/bin/chromium'] };
export const ORTHANC: SystemProgram = { label: 'Orthanc', packages: ['orthanc', 'orthanc-dicomweb'], env: 'HOLOCT_ORTHANC', paths: ['/usr/sbin/Orthanc'], names: ['Orthanc'] };
export const ORTHANC_DICOMWEB: SystemProgram = {
  label: 'the Orthanc DICOMweb plugin',
  packages: ['orthanc-dicomweb'],
  env: 'HOLOCT_ORTHANC_DICOMWEB',
  paths: ['/usr/share/orthanc/plugins/libOrthancDicomWeb.so'],
};
export const REDIS_SERVER: SystemProgram = { label: 'Redis', packages: ['redis-server'], env: 'HOLOCT_REDIS_SERVER', paths: ['/usr/bin/redis-server'], names: ['redis-server'] };

/** A prerequisite is missing: the message is all the user needs, so the stack is left out. */
export class MissingPrerequisiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingPrerequisiteError';
    this.stack = `${this.name}: ${message}`;
  }
}

/** Where the program is, or undefined. */
export function findProgram(program: SystemProgram, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const override = program.env ? env[program.env] : undefined;
  if (override) return readable(override) ? override : undefined;
  const onPath = (program.names ?? []).flatMap((name) => (env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name)));
  return [...program.paths, ...onPath].find(readable);
}

/** Throws one MissingPrerequisiteError naming every missing program, its packages and the install command. */
export function requirePrograms(programs: SystemProgram[], env: NodeJS.ProcessEnv = process.env): void {
  const missing = programs.filter((p) => !findProgram(p, env));
  if (!missing.length) return;
  const packages = [...new Set(missing.flatMap((p) => p.packages))];
  const lines = missing.map((p) => {
    const where = p.env && env[p.env] ? `${p.env}=${env[p.env]} does not exist` : `not found (${p.paths.join(', ')})`;
    return `  ${p.label}: ${where}; Debian package ${p.packages.join(' + ')}`;
  });
  throw new MissingPrerequisiteError(
    `these tests need programs that are not installed:\n${lines.join('\n')}\n` +
      `install them (as root): apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}\n` +
      `or run \`npm test\` as root, whose pretest (scripts/prereqs.sh) installs every package the tests need.`,
  );
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
