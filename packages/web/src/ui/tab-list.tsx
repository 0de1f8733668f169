/**
 * A row of tabs (WAI-ARIA tabs pattern): one tab stop, ← and → move between tabs. Each tab
 * is `${idPrefix}tab-${id}` and controls `${idPrefix}panel-${id}`; the panel is the caller's.
 */
export function TabList<T extends string>(props: { label: string; idPrefix: string; tabs: Array<[T, string]>; selected: T; onSelect: (id: T) => void }) {
  const { tabs, selected, idPrefix } = props;
  return (
    <div class="tabs" role="tablist" aria-label={props.label}>
      {tabs.map(([id, label]) => (
        <button
          type="button"
          key={id}
          role="tab"
          id={`${idPrefix}tab-${id}`}
          class="tab"
          aria-selected={selected === id}
          aria-controls={`${idPrefix}panel-${id}`}
          tabIndex={selected === id ? 0 : -1}
          onClick={() => props.onSelect(id)}
          onKeyDown={(e) => {
            if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
            const i = tabs.findIndex(([t]) => t === selected);
            const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]![0];
            props.onSelect(next);
            (e.currentTarget.parentElement?.querySelector(`#${idPrefix}tab-${next}`) as HTMLElement | null)?.focus();
          }}
        >
          {label}
        </button>
      ))}
    </div>
  );
}
