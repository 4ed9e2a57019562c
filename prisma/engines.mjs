// The one schema source, for each engine: prisma/schema.prisma is written for SQLite; the
// PostgreSQL client and migrations take the same models with the datasource's provider (and
// the client's output folder) changed. Used by `npm run generate` and by the migrations.

/** The schema text for `engine` ('sqlite' or 'postgresql'); `output` moves the client. */
export function schemaFor(source, engine, output) {
  let text = source.replace(/(datasource db \{\s*provider\s*=\s*)"sqlite"/, `$1"${engine}"`);
  if (output) text = text.replace(/(\boutput\s*=\s*)"[^"]*"/, `$1"${output}"`);
  return text;
}
