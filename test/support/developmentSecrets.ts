// The tests run the catalog on the development secrets, as `npm start` does:
// processes they spawn with the test's environment inherit the flag.
process.env.DEVELOPMENT_SECRETS ??= '1';

/** The environment that asks for the development secrets, for configs built from a literal environment. */
export const DEVELOPMENT_ENV = { DEVELOPMENT_SECRETS: '1' } as const;
