import { useEffect } from 'react';
import { api } from '../api';

/** Loads now and again after every finished run: a run changes what a view shows. */
export function useAfterRuns(load: () => Promise<unknown>): void {
  useEffect(() => {
    void load();
    return api().on('status-changed', (status) => {
      if (!status.running) void load();
    });
  }, [load]);
}
