// Helpers for the marble specs of the client module.
import { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Backoff } from '../backoff';

export const URL = 'ws://test/ws?user=ada';
/** No jitter, so retries land on round frames: 1 s, 2 s, 4 s, 4 s … */
export const BACKOFF: Backoff = { initialMs: 1000, maxMs: 4000, factor: 2, jitter: 0 };

export const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** Runs each action at its frame: the server's (or the user's) side of a marble test. */
export const play = (cold: TestScheduler['createColdObservable'], marbles: string, actions: Record<string, () => void>) =>
  (cold(marbles, actions) as Observable<() => void>).subscribe((act) => act());

/** Ids 'id1', 'id2', … in the order they are asked for. */
export const counter = (prefix = 'id') => {
  let n = 0;
  return () => `${prefix}${++n}`;
};
