/** The IANA time zones the browser knows, offered to a time zone field (`list="time-zones"`). */
const ZONES: string[] = (() => {
  try {
    const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
})();

export function TimeZones({ contact = false }: { contact?: boolean }) {
  return (
    <datalist id="time-zones">
      {contact && <option value="contact">Each contact's own zone</option>}
      {['UTC', ...ZONES].map((z) => (
        <option key={z} value={z} />
      ))}
    </datalist>
  );
}
