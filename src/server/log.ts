/**
 * The team server's log: one JSON line per event on stderr. Only these fields exist, so nothing a
 * client sent (names, document content, tokens, headers) can reach the log: room ids, sizes, counts
 * and reasons chosen by the server.
 */
export interface LogFields {
  room?: string;
  bytes?: number;
  count?: number;
  reason?: string;
  port?: number;
}

export type TeamLog = (event: string, fields?: LogFields) => void;

export function createStderrLog(): TeamLog {
  return (event, fields = {}) => {
    process.stderr.write(`${JSON.stringify({ t: new Date().toISOString(), event, ...fields })}\n`);
  };
}
