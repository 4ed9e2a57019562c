/** A unique constraint violation: Prisma's P2002, or the driver adapter's error for plain SQL. */
export function isUniqueViolation(error: unknown): boolean {
  const { code, cause } = (error ?? {}) as { code?: string; cause?: { kind?: string } };
  return code === 'P2002' || cause?.kind === 'UniqueConstraintViolation';
}
