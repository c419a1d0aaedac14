/**
 * The join link of a room: `https://<host>/?room=<roomId>#secret=<secret>`. The secret sits in the
 * fragment, which browsers never send in a request line, so it reaches no server log or proxy;
 * the page reads it, then removes it from the address bar. The host shows the link as a QR code.
 */
import QRCode from 'qrcode';

export interface JoinLinkParts {
  roomId: string;
  secret: string;
}

export function buildJoinLink(origin: string, parts: JoinLinkParts): string {
  const url = new URL('/', origin);
  url.searchParams.set('room', parts.roomId);
  url.hash = `secret=${encodeURIComponent(parts.secret)}`;
  return url.toString();
}

/** The room and secret of a join link (or the page's own location); undefined when it is not one. */
export function parseJoinLink(href: string): JoinLinkParts | undefined {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return undefined;
  }
  const roomId = url.searchParams.get('room');
  const secret = new URLSearchParams(url.hash.replace(/^#/, '')).get('secret');
  if (!roomId || !secret || !/^[A-Za-z0-9_-]{1,128}$/.test(roomId)) return undefined;
  return { roomId, secret };
}

/** The same address without the room and its secret (for history.replaceState once read). */
export function withoutJoinParts(href: string): string {
  const url = new URL(href);
  url.searchParams.delete('room');
  url.hash = '';
  return url.toString();
}

/** The link as an SVG QR code (error correction M: readable off a laptop screen by a headset camera). */
export function joinLinkQrSvg(link: string): Promise<string> {
  return QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
