/** RFC 4180: a field is quoted when it holds a comma, a double quote, CR or LF; quotes inside are doubled. Records end in CRLF. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvRecord(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}
