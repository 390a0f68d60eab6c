// The Python spellings of datetimes that legacy (unversioned) payloads carry. Legacy payloads are
// plain dicts run through oslo's jsonutils.to_primitive, so each value is whatever str()/strftime
// Nova applied to it (nova/notifications/base.py, nova/compute/utils.py).
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function base(d: Date): { date: string; time: string; micro: number } {
  return {
    date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
    micro: d.getUTCMilliseconds() * 1000,
  };
}

/** str(naive datetime): `2012-10-29 13:42:11`, `.ffffff` only when non-zero. */
export function pyStrNaive(d: Date): string {
  const p = base(d);
  return p.micro ? `${p.date} ${p.time}.${pad(p.micro, 6)}` : `${p.date} ${p.time}`;
}

/** str(aware UTC datetime), as Nova objects hold them: `2012-10-29 13:42:11+00:00`. */
export function pyStrAware(d: Date): string {
  return `${pyStrNaive(d)}+00:00`;
}

/** nova.utils.strtime: `at.strftime("%Y-%m-%dT%H:%M:%S.%f")`, always six fraction digits. */
export function strtime(d: Date): string {
  const p = base(d);
  return `${p.date}T${p.time}.${pad(p.micro, 6)}`;
}

/** notifications.base.null_safe_isotime: strtime of a datetime, '' for None. */
export function nullSafeIsotime(d: Date | null | undefined): string {
  return d ? strtime(d) : '';
}

/** notifications.base.null_safe_str: str(s) if s else ''. */
export function nullSafeStr(s: string | null | undefined): string {
  return s ? String(s) : '';
}
