import type { Localized } from './localized';
import type { StepId } from './setup/steps';

/**
 * Every failure a user can see: a stable code, the set-up step that fixes it (null when no
 * step does) and a plain message in Finnish and English. The message never contains a secret.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly step: StepId | null,
    readonly text: Localized,
    options?: { cause?: unknown },
  ) {
    super(text.en, options);
    this.name = 'AppError';
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
