import type { ErrorDto } from '../../../preload/api';
import { AppError, isAppError } from '../errors';
import { scrub } from '../log';
import { stepLink, type LinkContext } from '../setup/steps';

/** A call the renderer made with arguments that do not fit the contract (a bug or an attack). */
export class InvalidRequestError extends AppError {
  constructor(channel: string, detail: string) {
    super('invalid-request', null, {
      fi: `Virheellinen pyyntö (${channel}): ${detail}`,
      en: `Invalid request (${channel}): ${detail}`,
    });
    this.name = 'InvalidRequestError';
  }
}

/**
 * What the renderer sees of a failure: code, step, scrubbed message, and the link to where the
 * step is done. Anything that is not an AppError is a bug: its text is scrubbed and it points at
 * the error log.
 */
export function toErrorDto(e: unknown, links: LinkContext = {}): ErrorDto {
  if (isAppError(e)) {
    return {
      code: e.code,
      step: e.step,
      message: { fi: scrub(e.text.fi), en: scrub(e.text.en) },
      link: e.step ? stepLink(e.step, links) : null,
    };
  }
  const text = scrub(e instanceof Error ? e.message : String(e));
  return {
    code: 'unexpected',
    step: 'support.error-log',
    message: { fi: `Odottamaton virhe: ${text}`, en: `Unexpected error: ${text}` },
    link: null,
  };
}
