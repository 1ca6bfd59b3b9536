import { Notification } from 'electron';
import type { SyncSummaryDto } from '../../preload/api';
import type { Language } from '../core/localized';
import { scrub } from '../core/log';
import { newErrors } from '../core/service/tray-model';

/**
 * OS notifications: a run that brings errors the previous run did not have (an error that
 * persists run after run is announced once), the one-time "still running in the tray" hint and
 * a downloaded update. Clicking one opens the window. Each is held until it is clicked or
 * closed: on Windows a notification that is garbage-collected loses its click.
 */
export class ErrorNotifier {
  private previous: SyncSummaryDto | null = null;
  private readonly shown = new Set<Notification>();

  constructor(
    private readonly language: () => Language,
    private readonly open: () => void,
  ) {}

  runFinished(summary: SyncSummaryDto): void {
    const fresh = newErrors(this.previous, summary);
    this.previous = summary;
    const first = fresh[0];
    if (!first) return;
    const language = this.language();
    const fi = language === 'fi';
    this.show(
      fi
        ? `Synkronoinnissa ${fresh.length} uutta virhettä`
        : `Sync: ${fresh.length} new error${fresh.length > 1 ? 's' : ''}`,
      scrub(`${first.user ? `${first.user}: ` : ''}${first.text?.[language] ?? first.message}`),
    );
  }

  stillRunning(): void {
    const fi = this.language() === 'fi';
    this.show(
      fi ? 'Synkronointi jatkuu taustalla' : 'Sync goes on in the background',
      fi
        ? 'Severa Calendar Sync on ilmoitusalueella. Lopeta se valikosta Tiedosto → Lopeta tai ilmoitusalueen kuvakkeesta.'
        : 'Severa Calendar Sync stays in the tray. Quit it from File → Quit or from the tray icon.',
    );
  }

  updateReady(version: string): void {
    const fi = this.language() === 'fi';
    this.show(
      fi ? `Versio ${version} on ladattu` : `Version ${version} is downloaded`,
      fi ? 'Se asennetaan, kun lopetat sovelluksen.' : 'It is installed when you quit the app.',
    );
  }

  private show(title: string, body: string): void {
    if (!Notification.isSupported()) return;
    const notification = new Notification({ title, body });
    this.shown.add(notification);
    const release = () => this.shown.delete(notification);
    notification.on('click', () => {
      release();
      this.open();
    });
    notification.on('close', release);
    notification.on('failed', release);
    notification.show();
  }
}
