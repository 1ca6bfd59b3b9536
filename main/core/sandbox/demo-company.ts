/**
 * The demo company both sandboxes are seeded with, so that the demo, the tests and support
 * repros share one cast. Most people exist on both sides with the same e-mail; a few do not,
 * to show the `pre.same-email` flag.
 */
export const DEMO_DOMAIN = 'kalevala.example';
export const DEMO_SERVICE_ACCOUNT = 'severa-sync@kalevala-demo.iam.gserviceaccount.com';
export const DEMO_CLIENT_ID = '104857600000000000001';
export const DEMO_PROJECT_ID = 'kalevala-demo';
export const DEMO_PROJECT_NUMBER = '271828182845';
export const DEMO_KEY_PASSWORD = 'notasecret';
export const DEMO_SEVERA_CLIENT_ID = 'kalevala-demo-client';

export interface DemoPerson {
  firstName: string;
  lastName: string;
  /** The address in Severa. */
  severaEmail: string | null;
  /** Whether Google Workspace has an account with that address. */
  inGoogle: boolean;
  timeZone: string;
}

export const DEMO_PEOPLE: DemoPerson[] = [
  {
    firstName: 'Aino',
    lastName: 'Virtanen',
    severaEmail: 'aino.virtanen@kalevala.example',
    inGoogle: true,
    timeZone: 'Europe/Helsinki',
  },
  {
    firstName: 'Ilmari',
    lastName: 'Korhonen',
    severaEmail: 'ilmari.korhonen@kalevala.example',
    inGoogle: true,
    timeZone: 'Europe/Helsinki',
  },
  {
    firstName: 'Kerttu',
    lastName: 'Mäkinen',
    severaEmail: 'kerttu.makinen@kalevala.example',
    inGoogle: true,
    timeZone: 'Europe/Helsinki',
  },
  {
    firstName: 'Väinö',
    lastName: 'Nieminen',
    severaEmail: 'vaino.nieminen@kalevala.example',
    inGoogle: true,
    timeZone: 'Europe/Stockholm',
  },
  // Mismatches: a typo in Severa, and a person with no Google account.
  {
    firstName: 'Lemmikki',
    lastName: 'Laine',
    severaEmail: 'lemmiki.laine@kalevala.example',
    inGoogle: false,
    timeZone: 'Europe/Helsinki',
  },
  {
    firstName: 'Pekka',
    lastName: 'Heikkinen',
    severaEmail: 'pekka.heikkinen@kalevala.example',
    inGoogle: false,
    timeZone: 'Europe/Helsinki',
  },
];

/** The Google accounts of the demo domain (Lemmikki's real address differs from Severa's). */
export const DEMO_GOOGLE_USERS: string[] = [
  ...DEMO_PEOPLE.filter((p) => p.inGoogle && p.severaEmail).map((p) => p.severaEmail as string),
  'lemmikki.laine@kalevala.example',
];

export const DEMO_TEST_USER = 'aino.virtanen@kalevala.example';
