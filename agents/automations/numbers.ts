/** Most numbers one range may expand to (a real range is at most 10,000 wide). */
const MAX_RANGE = 100_000;

/**
 * The numbers of a "Phone Numbers" cell: one number, or a range `first - last` (both with the
 * same prefix, e.g. `+1-2025550100 - +1-2025550109`) expanded to each number.
 */
export function expandNumbers(cell: string): string[] {
  const parts = cell.split(/\s+-\s+/);
  if (parts.length !== 2) return cell.trim() === '' ? [] : [cell.trim()];
  const [first, last] = parts.map((p) => p.trim()) as [string, string];
  const head = /^(.*?)(\d+)$/.exec(first);
  const tail = /^(.*?)(\d+)$/.exec(last);
  if (!head || !tail || head[1] !== tail[1] || (head[2] as string).length !== (tail[2] as string).length) return [cell.trim()];
  const width = (head[2] as string).length;
  const from = BigInt(head[2] as string);
  const to = BigInt(tail[2] as string);
  if (to < from || to - from >= BigInt(MAX_RANGE)) return [cell.trim()];
  const out: string[] = [];
  for (let n = from; n <= to; n++) out.push(`${head[1]}${n.toString().padStart(width, '0')}`);
  return out;
}
