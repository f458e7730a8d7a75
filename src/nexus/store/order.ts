// Go's sort.Strings order: bytewise over UTF-8 (SQLite's BINARY collation too).
export function compareBytewise(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
