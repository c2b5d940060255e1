// The first screen: pick the name the server will know you by.
import { FormEvent, useState } from 'react';
import { USER_NAME } from './names';

export const Login = ({ initial, onLogin }: { initial: string; onLogin: (name: string) => void }) => {
  const [name, setName] = useState(initial);
  const [touched, setTouched] = useState(false);
  const valid = USER_NAME.test(name);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (valid) onLogin(name);
  };
  return (
    <main className="login">
      <form className="login-card" onSubmit={submit}>
        <div className="brand brand-large">
          <span className="brand-mark">R</span> Rusher
        </div>
        <p className="login-lead">Chat rooms, shared documents and live geofences, served by your own Rusher server.</p>
        <label className="field">
          <span>Your name</span>
          <input
            autoFocus
            value={name}
            onChange={(e) => setName(e.target.value.trim())}
            placeholder="e.g. ada"
            maxLength={64}
            aria-invalid={touched && !valid}
            aria-describedby="name-hint"
          />
        </label>
        <p id="name-hint" className={touched && !valid ? 'hint hint-error' : 'hint'}>
          Letters, digits, dots, dashes and underscores; up to 64.
        </p>
        <button className="button button-primary button-wide" type="submit">
          Continue
        </button>
        <p className="login-foot">No account needed: the name is how others will see you.</p>
      </form>
    </main>
  );
};
