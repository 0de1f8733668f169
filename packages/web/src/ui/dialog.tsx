import type { ComponentChildren } from 'preact';
import { useId, useLayoutEffect, useRef } from 'preact/hooks';
import { CloseIcon } from './icons.tsx';

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), textarea:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** A modal dialog: focus moves in and is kept there, Esc or the backdrop closes, focus returns after. */
export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren; footer?: ComponentChildren; wide?: boolean; class?: string; hideTitle?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const id = useId();
  // A layout effect, so Esc and focus work from the first frame the dialog is seen in
  // (a plain effect runs a frame later, and an Esc pressed in between was lost).
  useLayoutEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const box = ref.current;
    const first = box?.querySelector<HTMLElement>('[autofocus]') ?? box?.querySelector<HTMLElement>(FOCUSABLE);
    first?.focus();
    // Escape closes even when focus fell out of the dialog (e.g. its button became disabled).
    const onEscape = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      e.preventDefault();
      e.stopPropagation();
      close.current();
    };
    window.addEventListener('keydown', onEscape, true);
    return () => {
      window.removeEventListener('keydown', onEscape, true);
      before?.focus?.();
    };
  }, []);
  const close = useRef(props.onClose);
  close.current = props.onClose;
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Tab' || !ref.current) return;
    const items = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    if (!items.length) return;
    const first = items[0]!;
    const last = items.at(-1)!;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };
  return (
    <div class="backdrop" onMouseDown={(e) => e.target === e.currentTarget && props.onClose()}>
      <div ref={ref} class={`dialog${props.wide ? ' wide' : ''}${props.class ? ` ${props.class}` : ''}`} role="dialog" aria-modal="true" aria-labelledby={id} onKeyDown={onKeyDown}>
        <div class={props.hideTitle ? 'sr-only' : 'dialog-head'}>
          <h2 id={id}>{props.title}</h2>
          {props.hideTitle ? null : (
            <button type="button" class="icon-btn" aria-label="Close" onClick={props.onClose}>
              <CloseIcon />
            </button>
          )}
        </div>
        {props.children}
        {props.footer ? <div class="dialog-foot">{props.footer}</div> : null}
      </div>
    </div>
  );
}
