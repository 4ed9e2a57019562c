export function schemaFor(source: string, engine: 'sqlite' | 'postgresql', output?: string): string;
