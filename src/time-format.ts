// The several datetime spellings OpenStack uses; each is a fact of the wire format.

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function parts(d: Date) {
  return {
    date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
    micro: pad(d.getUTCMilliseconds() * 1000, 6),
  };
}

/** Notification payload datetimes and the server view: `2012-10-29T13:42:11Z` (no fraction). */
export function isoSecondsZ(d: Date): string {
  const p = parts(d);
  return `${p.date}T${p.time}Z`;
}

/** oslo.messaging envelope `timestamp`: `str(utcnow())`, fraction omitted when zero. */
export function osloTimestamp(d: Date): string {
  const p = parts(d);
  return d.getUTCMilliseconds() === 0 ? `${p.date} ${p.time}` : `${p.date} ${p.time}.${p.micro}`;
}

/** os-instance-actions and Cinder datetimes: `2018-04-25T01:26:36.790544` (no zone). */
export function isoMicro(d: Date): string {
  const p = parts(d);
  return `${p.date}T${p.time}.${p.micro}`;
}

/** Nova's server view with microseconds dropped but '+00:00' like some APIs; kept for instance actions 2.58 updated_at. */
export function isoMicroNoFraction(d: Date): string {
  const p = parts(d);
  return `${p.date}T${p.time}.000000`;
}
