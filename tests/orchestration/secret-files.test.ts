// The secret filter, one row per kind of credential file: never read, even when asked for.
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatherContext } from '../../src/orchestration/context-builder.js';
import { tempTree } from '../support/temp.js';

const NEVER_READ = [
  '.git-credentials',
  '.docker/config.json',
  'service-account.json',
  'Service-Account.JSON',
  'gcp-credentials-prod.json',
  'my-serviceaccount.json',
  'MyServiceAccount-key.json',
  '.htpasswd',
  'infra/terraform.tfstate',
  'infra/terraform.tfstate.backup',
  'infra/prod.tfvars',
  '.ssh/config',
  '.ssh/known_hosts',
  'home/.ssh/authorized_keys',
  '.kube/config',
  'etc/shadow',
  'etc/gshadow',
  '.env',
  '.env.local',
  '.env.production',
  'config/.env.staging',
  'keys/deploy.pem',
  'id_ed25519',
  '.npmrc',
  '.netrc',
  'credentials.json',
  'config/secrets.yaml',
];

const PRIVATE_KEYS = ['OPENSSH', 'RSA', 'EC', 'ENCRYPTED', 'DSA', ''].map(
  (kind) =>
    `-----BEGIN ${kind ? `${kind} ` : ''}PRIVATE KEY-----\nMARKER\n-----END PRIVATE KEY-----\n`,
);

const tree = tempTree;

describe('the secret filter', () => {
  it.each(NEVER_READ)('never reads %s, even when --context asks for it', async (path) => {
    const root = tree({ [path]: 'SECRET-MARKER\n', 'src/app.ts': 'app\n' });
    const context = await gatherContext({ root, globs: ['**'] });
    expect(context.codebaseContext).toContain('=== src/app.ts (whole file, 1 line) ===\n1| app\n');
    expect(context.codebaseContext).not.toContain('SECRET-MARKER');
    expect(context.skipped).toContainEqual({ path, reason: 'may hold secrets' });
  });

  it.each(PRIVATE_KEYS)(
    'never reads a file holding a private key block, whatever its name (%#)',
    async (key) => {
      const root = tree({ 'notes.txt': `${'x'.repeat(3000)}\n${key}`, 'README.md': key });
      const context = await gatherContext({ root, globs: ['**'] });
      expect(context.codebaseContext).not.toContain('MARKER');
      expect(context.skipped).toContainEqual({ path: 'notes.txt', reason: 'may hold secrets' });
      expect(context.skipped).toContainEqual({ path: 'README.md', reason: 'may hold secrets' });
    },
  );

  it.each(['.env.example', '.env.sample', '.env.template', '.env.dist'])(
    'sends the template %s with every value removed, names and comments kept',
    async (name) => {
      const root = tree({
        [name]:
          '# Where the API lives\nAPI_URL=https://real.example.com\nexport TOKEN = sk-live-123 # real\n\nEMPTY=\n',
      });
      const context = await gatherContext({ root });
      expect(context.codebaseContext).toBe(
        `=== ${name} (whole file, 5 lines) ===\n1| # Where the API lives\n2| API_URL=\n3| export TOKEN=\n4|\n5| EMPTY=\n`,
      );
    },
  );
});

describe('symlinks without git', () => {
  it('lists symlinks as such and reads nothing through them in the plain walk', async () => {
    const outside = tree({ 'secret.txt': 'OUTSIDE-MARKER\n', 'dir/inner.md': 'OUTSIDE-MARKER\n' });
    const root = tree({ 'docs/real.md': 'inside\n' });
    symlinkSync(join(outside, 'secret.txt'), join(root, 'README.md'));
    symlinkSync(join(outside, 'secret.txt'), join(root, 'docs', 'x.md'));
    symlinkSync(join(outside, 'dir'), join(root, 'linked'));
    const context = await gatherContext({ root, globs: ['**'] });
    expect(context.source).toBe('walk');
    expect(context.fileTree.split('\n')).toEqual([
      'README.md -> (symlink, not followed)',
      'docs/real.md',
      'docs/x.md -> (symlink, not followed)',
      'linked -> (symlink, not followed)',
    ]);
    expect(context.codebaseContext).toBe('=== docs/real.md (whole file, 1 line) ===\n1| inside\n');
    expect(context.skipped).toContainEqual({ path: 'README.md', reason: 'symlink, not followed' });
  });
});
