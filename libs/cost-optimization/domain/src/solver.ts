import highsLoader, { type Highs } from 'highs';

export type { Highs } from 'highs';

let loading: Promise<Highs> | undefined;

/** Loads HiGHS (WebAssembly) once per process; every plan then solves synchronously on it. */
export function loadHighs(): Promise<Highs> {
  loading ??= highsLoader();
  return loading;
}
