import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { errorText } from './errors.ts';

/** Shortest passphrase a backup is encrypted with (its scrypt cost slows guessing; length still matters). */
const MIN_PASSPHRASE_LENGTH = 8;

/**
 * Asks for a backup's passphrase: twice to encrypt one (a typo would lock the backup away for
 * good), once to open one. The form stays up with the error until `onSubmit` succeeds.
 */
export function PassphraseForm(props: { label: string; confirm?: boolean; hint: string; submit: string; busy: string; onSubmit: (passphrase: string) => Promise<void>; onCancel: () => void }) {
  const id = useId();
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (props.confirm && passphrase.length < MIN_PASSPHRASE_LENGTH) return setError(`Use at least ${MIN_PASSPHRASE_LENGTH} characters.`);
    if (props.confirm && passphrase !== again) return setError('The two passphrases differ.');
    setBusy(true);
    setError(undefined);
    try {
      await props.onSubmit(passphrase);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} aria-label={props.label} style={{ marginTop: 'var(--space-4)', width: '100%' }}>
      {error ? <p class="form-error" role="alert">{error}</p> : null}
      <div class="field">
        <label for={`${id}-pass`}>Passphrase</label>
        <input id={`${id}-pass`} class="input" type="password" autoComplete={props.confirm ? 'new-password' : 'off'} required value={passphrase} onInput={(e) => setPassphrase(e.currentTarget.value)} ref={first} />
        <span class="hint">{props.hint}</span>
      </div>
      {props.confirm ? (
        <div class="field">
          <label for={`${id}-again`}>Repeat passphrase</label>
          <input id={`${id}-again`} class="input" type="password" autoComplete="new-password" required value={again} onInput={(e) => setAgain(e.currentTarget.value)} />
        </div>
      ) : null}
      <div class="row">
        <button class="btn btn-primary" disabled={busy}>
          {busy ? props.busy : props.submit}
        </button>
        <button type="button" class="btn" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
