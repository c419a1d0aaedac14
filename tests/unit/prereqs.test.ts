import { describe, expect, it } from 'vitest';
import { findProgram, MissingPrerequisiteError, requirePrograms, type SystemProgram } from '../prereqs';

const absent: SystemProgram = { label: 'Absent', packages: ['absent-pkg'], paths: ['/nonexistent/absent'], names: ['holoct-no-such-program'] };
const node: SystemProgram = { label: 'Node', packages: ['nodejs'], env: 'HOLOCT_TEST_NODE', paths: [process.execPath] };

describe('requirePrograms', () => {
  it('passes when every program is found, by path, on PATH or by its variable', () => {
    expect(() => requirePrograms([node])).not.toThrow();
    expect(findProgram({ ...node, paths: [], names: ['node'] }, { PATH: process.execPath.replace(/\/node$/, '') })).toBe(process.execPath);
    expect(findProgram(absent, { HOLOCT_X: process.execPath })).toBeUndefined();
    expect(findProgram({ ...absent, env: 'HOLOCT_X' }, { HOLOCT_X: process.execPath })).toBe(process.execPath);
  });

  it('names each missing program, its Debian package and the install command, without a stack trace', () => {
    let error: unknown;
    try {
      requirePrograms([node, absent, { ...absent, label: 'Other', packages: ['other-pkg', 'absent-pkg'] }], { PATH: '' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MissingPrerequisiteError);
    const message = (error as Error).message;
    expect(message).toContain('Absent: not found (/nonexistent/absent); Debian package absent-pkg');
    expect(message).toContain('Other: not found');
    expect(message).toContain('apt-get install -y --no-install-recommends absent-pkg other-pkg\n');
    expect(message).not.toContain('Node');
    expect((error as Error).stack).not.toMatch(/\n\s+at /);
  });

  it('says so when the variable that names a program points nowhere', () => {
    expect(() => requirePrograms([node], { HOLOCT_TEST_NODE: '/nonexistent/node' })).toThrow(/HOLOCT_TEST_NODE=\/nonexistent\/node does not exist/);
  });
});
