import { Notification } from 'electron';
import type { SyncSummaryDto } from '../../preload/api';
import type { Language } from '../core/localized';
import { scrub } from '../core/log';
import { newErrors } from '../core/service/tray-model';

/**
 * An OS notification when a run brings errors the previous run did not have; an error that
 * persists run after run is announced once. Clicking it opens the window (the log is there).
 */
export class ErrorNotifier {
  private previous: SyncSummaryDto | null = null;

  constructor(
    private readonly language: () => Language,
    private readonly open: () => void,
  ) {}

  runFinished(summary: SyncSummaryDto): void {
    const fresh = newErrors(this.previous, summary);
    this.previous = summary;
    if (fresh.length === 0 || !Notification.isSupported()) return;
    const fi = this.language() === 'fi';
    const first = fresh[0];
    const notification = new Notification({
      title: fi
        ? `Synkronoinnissa ${fresh.length} uutta virhettä`
        : `Sync: ${fresh.length} new error${fresh.length > 1 ? 's' : ''}`,
      body: first ? scrub(`${first.user ? `${first.user}: ` : ''}${first.message}`) : '',
    });
    notification.on('click', this.open);
    notification.show();
  }
}
