// Files that may hold credentials: never read, whatever --context asks. One table, matched
// case-insensitively against the path relative to the project root.

export const SECRET_FILES: { pattern: RegExp; what: string }[] = [
  { pattern: /(^|\/)\.env(\..*)?$/, what: '.env and .env.* (templates are sent without values)' },
  { pattern: /\.(pem|key|p12|pfx|keystore|jks)$/, what: 'key and certificate stores' },
  { pattern: /(^|\/)id_(rsa|dsa|ecdsa|ed25519)(\.pub)?$/, what: 'SSH keys' },
  { pattern: /(^|\/)\.ssh\//, what: 'every file under a .ssh folder' },
  {
    pattern: /(^|\/)\.(npmrc|pypirc|netrc|git-credentials|htpasswd|pgpass|envrc)$/,
    what: 'tool credentials',
  },
  { pattern: /(^|\/)\.aws\/(config|credentials)$/, what: 'AWS profiles' },
  { pattern: /(^|\/)kubeconfig(\.ya?ml)?$/, what: 'Kubernetes credentials' },
  { pattern: /\.ppk$/, what: 'PuTTY keys' },
  { pattern: /(^|\/)\.docker\/config\.json$/, what: 'Docker registry logins' },
  { pattern: /(^|\/)\.kube\/config$/, what: 'Kubernetes credentials' },
  { pattern: /(^|\/)credentials(\.json)?$/, what: 'credentials files' },
  { pattern: /(^|\/)[^/]*-credentials[^/]*\.json$/, what: '*-credentials*.json' },
  {
    pattern: /(^|\/)(service-account\.json|[^/]*serviceaccount[^/]*\.json)$/,
    what: 'cloud service accounts',
  },
  { pattern: /(^|\/)secrets?\.(json|ya?ml|toml)$/, what: 'secrets files' },
  { pattern: /\.(tfstate|tfstate\.backup|tfvars)$/, what: 'Terraform state and variables' },
  { pattern: /(^|\/)g?shadow$/, what: 'password hashes' },
].map(({ pattern, what }) => ({ pattern: new RegExp(pattern.source, 'i'), what }));

/** `.env` templates: their variable names are useful context, their values are removed. */
export const ENV_TEMPLATE = /(^|\/)\.env\.(example|sample|template|dist)$/i;

const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|^PuTTY-User-Key-File-\d+:/m;
/** How much of a file's start is searched for a private key block. */
export const KEY_PROBE_BYTES = 4096;

export function secretByName(path: string): boolean {
  if (ENV_TEMPLATE.test(path)) return false;
  return SECRET_FILES.some(({ pattern }) => pattern.test(path));
}

export function holdsPrivateKey(start: string): boolean {
  return PRIVATE_KEY.test(start);
}

/** A template with every value removed: `KEY=` lines and comments stay, nothing else. */
export function withoutValues(text: string): string {
  const kept: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    const assignment = /^\s*((?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*)\s*=/.exec(line);
    if (assignment) kept.push(`${assignment[1]}=`);
    else if (trimmed === '' || trimmed.startsWith('#')) kept.push(line);
  }
  return kept.join('\n');
}
