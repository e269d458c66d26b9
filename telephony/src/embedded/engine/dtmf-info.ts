// DTMF carried in SIP INFO bodies: application/dtmf-relay ("Signal=5\r\nDuration=160")
// and application/dtmf ("5").
const DIGIT = /^[0-9*#A-D]$/i;

export function digitFromInfo(contentType: string | undefined, body: string): string | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  let digit: string | undefined;
  if (type === 'application/dtmf-relay') {
    digit = /^\s*signal\s*=\s*(\S+)/im.exec(body)?.[1];
  } else if (type === 'application/dtmf') {
    digit = body.trim();
  }
  if (digit === '10') digit = '*';
  if (digit === '11') digit = '#';
  return digit !== undefined && DIGIT.test(digit) ? digit.toUpperCase() : undefined;
}
