/**
 * `holoct` command line. Each sub-command lives in ./commands/<name>.ts and exports
 * `run(args: string[], io: CliIO): Promise<number>` (the exit code).
 */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

type Command = { summary: string; load: () => Promise<{ run: (args: string[], io: CliIO) => Promise<number> }> };

const COMMANDS: Record<string, Command> = {
  segment: { summary: 'segment <dicom-folder | file.nii[.gz]> --out <dir> [--export glb,stl,obj,seg] [--cuts planes.json]   CT → labels, classes, hologram (GLB, STL, OBJ), DICOM SEG, report; segment --help for more', load: () => import('./commands/segment') },
  info: { summary: 'info [--json] <file | folder>   list DICOM series, geometry, transfer syntaxes', load: () => import('./commands/info') },
  stow: { summary: 'stow <file.dcm>… --pacs <dicomweb-root>   store a seg.dcm in its study on the PACS (STOW-RS)', load: () => import('./commands/stow') },
  eval: { summary: 'eval --pred labels.nii.gz --ref ref.nii.gz [--ref-classes classes.tsv]   accuracy vs a reference', load: () => import('./commands/eval') },
};

const defaultIO: CliIO = {
  stdout: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  stderr: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

export function usage(): string {
  return ['usage: holoct <command> [options]', '', ...Object.entries(COMMANDS).map(([n, c]) => `  ${c.summary.startsWith(n) ? '' : `${n} `}${c.summary}`)].join('\n');
}

export async function main(argv: string[], io: CliIO = defaultIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.stdout(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`holoct: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  try {
    const module = await command.load();
    return await module.run(rest, io);
  } catch (error) {
    // A user sees the reason, not a stack trace; HOLOCT_DEBUG=1 shows the cause chain.
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`holoct ${name}: ${message}`);
    if (process.env.HOLOCT_DEBUG && error instanceof Error) io.stderr(String(error.stack));
    return 1;
  }
}
