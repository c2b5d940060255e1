// The latest value of an Observable as React state.
import { useEffect, useState } from 'react';
import type { Observable } from 'rxjs';

/** `source$` must be stable across renders (a field, or memoised). */
export const useObservable = <T,>(source$: Observable<T> | null, initial: T): T => {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    if (source$ === null) return undefined;
    const sub = source$.subscribe((v) => setValue(() => v));
    return () => sub.unsubscribe();
  }, [source$]);
  return value;
};
