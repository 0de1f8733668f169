import { useState } from 'preact/hooks';
import { Dialog } from './dialog.tsx';
import { errorText } from './errors.ts';
import { useStore } from './store-context.ts';

/** Org admins create a team; it starts with a public #general channel, which opens. */
export function NewTeam({ onClose }: { onClose: () => void }) {
  const store = useStore();
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      await store.createTeam(name.trim().toLowerCase());
      onClose();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <Dialog title="New team" onClose={onClose}>
      <form class="dialog-body" onSubmit={(e) => void submit(e)}>
        {error ? <p class="form-error" role="alert">{error}</p> : null}
        <div class="field">
          <label for="nt-name">Name</label>
          <input id="nt-name" class="input" required autoFocus pattern="[a-z0-9][a-z0-9._\-]*" maxLength={64} placeholder="engineering" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="row" style={{ justifyContent: 'flex-end' }}>
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy || !name.trim()}>
            Create team
          </button>
        </div>
      </form>
    </Dialog>
  );
}
