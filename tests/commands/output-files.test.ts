import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkOutputFile,
  openOutputFile,
  writeOutputFile,
} from '../../src/commands/output-files.js';
import { ValidationError } from '../../src/core/errors.js';
import { tempDir } from '../support/temp.js';

describe('output files', () => {
  it('writes a file, creating its folders', () => {
    const path = join(tempDir(), 'a', 'b', 'plan.md');
    writeOutputFile(path, '# Plan\n');
    expect(readFileSync(path, 'utf8')).toBe('# Plan\n');
  });

  it('refuses a directory, or a path below a file, with one line and no change', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'kept');
    mkdirSync(join(dir, 'folder'));
    const refused = (path: string) => {
      try {
        checkOutputFile(path, false);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as Error).message;
      }
      return null;
    };
    expect(refused(join(dir, 'folder'))).toBe(
      `Cannot write ${join(dir, 'folder')}: it is a directory`,
    );
    expect(refused(join(dir, 'file', 'x.md'))).toBe(
      `Cannot write ${join(dir, 'file', 'x.md')}: a part of the path is a file, not a folder`,
    );
    expect(refused(join(dir, 'new', 'deeper', 'x.md'))).toBeNull();
    expect(() => writeOutputFile(join(dir, 'folder'), 'x')).toThrow(/it is a directory/);
    expect(() => openOutputFile(join(dir, 'file', 'x'))).toThrow(ValidationError);
    expect(readFileSync(join(dir, 'file'), 'utf8')).toBe('kept');
  });
});
