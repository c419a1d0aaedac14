import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * scripts/prereqs.sh (npm test's pretest) against fake dpkg-query, id, apt-get and service on PATH:
 * nothing is installed for real.
 */
let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function fakes(opts: { missing: string[]; uid: number }): string {
  dir = mkdtempSync(join(tmpdir(), 'holoct-prereqs-'));
  const log = join(dir, 'calls.log');
  const script = (name: string, body: string) => {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  };
  // dpkg-query -W -f='${Status}' <package>
  script('dpkg-query', `case " ${opts.missing.join(' ')} " in *" $3 "*) exit 1;; esac\nprintf 'install ok installed'`);
  script('id', `echo ${opts.uid}`);
  script('apt-get', `echo "apt-get $*" >> ${log}`);
  script('service', `echo "service $*" >> ${log}`);
  return log;
}

function run(): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('sh', ['scripts/prereqs.sh'], { env: { PATH: `${dir}:${process.env.PATH}` }, encoding: 'utf8' });
}

describe('scripts/prereqs.sh', () => {
  it('does nothing when every package is installed', () => {
    const log = fakes({ missing: [], uid: 0 });
    const r = run();
    expect(r.status).toBe(0);
    expect(() => readFileSync(log, 'utf8')).toThrow();
  });

  it('not root: stops with each missing package, why it is needed and the command that installs it', () => {
    const log = fakes({ missing: ['chromium', 'redis-server'], uid: 1000 });
    const r = run();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/chromium +browser and headset-emulation tests/);
    expect(r.stderr).toMatch(/redis-server +the team-session tests/);
    expect(r.stderr).toContain('sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium redis-server\n');
    expect(() => readFileSync(log, 'utf8')).toThrow();
  });

  it('as root: one apt-get update, one install of what is missing, and the service it started is stopped', () => {
    const log = fakes({ missing: ['orthanc-dicomweb', 'redis-server'], uid: 0 });
    const r = run();
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      'apt-get update',
      'apt-get install -y --no-install-recommends orthanc-dicomweb redis-server',
      'service redis-server stop',
    ]);
  });
});
