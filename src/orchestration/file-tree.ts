// The file tree shown to the model, summarised from the list of paths. File names are data: a
// name that could pass for a line, a heading or a different name is shown JSON-quoted.

const UNSAFE = /[\p{Cc}\u2028\u2029]/u;

function unsafeSegment(segment: string): boolean {
  return segment.startsWith('#') || segment !== segment.trim() || UNSAFE.test(segment);
}

/** A path (or one name) as printed: quoted when it could break a line or open a heading. */
export function displayPath(path: string): string {
  if (!path.split('/').some(unsafeSegment)) return path;
  // JSON.stringify leaves the Unicode line separators raw; they end lines too.
  return JSON.stringify(path).replace(
    /[\u0085\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

interface Folder {
  files: string[];
  folders: Map<string, Folder>;
  count: number;
}

const emptyFolder = (): Folder => ({ files: [], folders: new Map(), count: 0 });

function build(paths: string[]): Folder {
  const root = emptyFolder();
  for (const path of paths) {
    const parts = path.split('/');
    let folder = root;
    folder.count++;
    for (const part of parts.slice(0, -1)) {
      let next = folder.folders.get(part);
      if (!next) {
        next = emptyFolder();
        folder.folders.set(part, next);
      }
      next.count++;
      folder = next;
    }
    folder.files.push(parts.at(-1) ?? path);
  }
  return root;
}

function foldersUpTo(folder: Folder, depth: number): number {
  if (depth === 0) return 0;
  let total = 0;
  for (const child of folder.folders.values()) total += 1 + foldersUpTo(child, depth - 1);
  return total;
}

function deepest(folder: Folder): number {
  let depth = 0;
  for (const child of folder.folders.values()) depth = Math.max(depth, 1 + deepest(child));
  return depth;
}

/**
 * The tree as lines. A small tree is listed whole; past the limit, folders are nested as deep
 * as the limit allows, each with the number of files under it, and the room left is shared
 * out among the folders' own files.
 */
export function summarizeTree(
  paths: string[],
  maxLines: number,
  symlinks: ReadonlySet<string> = new Set(),
): string {
  const label = (path: string, name: string) =>
    `${displayPath(name)}${symlinks.has(path) ? ' -> (symlink, not followed)' : ''}`;
  if (paths.length <= maxLines) return paths.map((path) => label(path, path)).join('\n');
  const root = build([...paths].sort());
  let depth = 1;
  while (depth < deepest(root) && foldersUpTo(root, depth + 1) <= maxLines * 0.75) depth++;
  const folderLines = foldersUpTo(root, depth);
  const shown = foldersUpTo(root, depth) + 1;
  const perFolder = Math.max(0, Math.floor((maxLines - folderLines) / shown));
  const lines: string[] = [];
  const render = (folder: Folder, prefix: string, indent: string, level: number) => {
    const files = folder.files.sort();
    const listed = files.length <= perFolder ? files : files.slice(0, Math.max(0, perFolder - 1));
    for (const name of listed) lines.push(`${indent}${label(`${prefix}${name}`, name)}`);
    if (listed.length < files.length && perFolder > 0)
      lines.push(`${indent}… ${files.length - listed.length} more files`);
    if (level >= depth) return;
    for (const [name, child] of [...folder.folders].sort((a, b) => a[0].localeCompare(b[0]))) {
      lines.push(`${indent}${displayPath(name)}/ (${child.count} files)`);
      render(child, `${prefix}${name}/`, `${indent}  `, level + 1);
    }
  };
  render(root, '', '', 0);
  return lines.join('\n');
}
