// Numbers and durations as prompt names of the standard prompt set
// (telephony/prompts: "zero".."twenty", tens, "hundred"), for the position and
// estimated-wait announcements.

const units = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten',
  'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const tens = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** 0..999 as prompt names ("forty", "two"); larger numbers are said as 999. */
export function numberPrompts(n: number): string[] {
  const v = Math.max(0, Math.min(999, Math.round(n)));
  const out: string[] = [];
  const h = Math.floor(v / 100);
  const rest = v % 100;
  if (h > 0) out.push(units[h] ?? 'nine', 'hundred');
  if (rest === 0) return h > 0 ? out : ['zero'];
  if (rest < 20) out.push(units[rest] ?? 'zero');
  else {
    out.push(tens[Math.floor(rest / 10)] ?? 'ninety');
    if (rest % 10 > 0) out.push(units[rest % 10] ?? 'zero');
  }
  return out;
}

/** "You are number N in line", then "estimated wait M minutes" (M at least 1), as prompt names. */
export function announcementPrompts(position: number | undefined, waitMs: number | undefined): string[] {
  const out: string[] = [];
  if (position !== undefined) out.push('you-are-number', ...numberPrompts(position), 'in-line');
  if (waitMs !== undefined) out.push('estimated-wait', ...numberPrompts(Math.max(1, Math.ceil(waitMs / 60_000))), 'minutes');
  return out;
}
