/**
 * One urql client for the page. Every request carries the session's token;
 * an UNAUTHENTICATED answer (expired or refused token) ends the session, and
 * the page goes back to sign-in with its drafts kept.
 */
import { Client, fetchExchange, mapExchange, type CombinedError } from 'urql';
import { currentSession, endSession } from './session';

export function createGraphqlClient(url: string): Client {
  return new Client({
    url,
    // Apollo's CSRF prevention wants POST with a JSON body (or a preflight header) for every operation.
    preferGetMethod: false,
    requestPolicy: 'network-only',
    fetchOptions: () => {
      const session = currentSession();
      const headers: Record<string, string> = session ? { authorization: `Bearer ${session.token}` } : {};
      return { headers };
    },
    exchanges: [
      mapExchange({
        onError(error) {
          if (errorCode(error) === 'UNAUTHENTICATED' || (error.response as Response | undefined)?.status === 401) endSession('expired');
        },
      }),
      fetchExchange,
    ],
  });
}

/** The first error code the gateway answered with, if any. */
export function errorCode(error: CombinedError | undefined): string | undefined {
  const code = error?.graphQLErrors.find((graphQLError) => typeof graphQLError.extensions?.['code'] === 'string')?.extensions['code'];
  return typeof code === 'string' ? code : undefined;
}

/** What to show a user: the gateway's message, without urql's "[GraphQL]" prefix. */
export function errorText(error: CombinedError): string {
  return error.graphQLErrors.length ? error.graphQLErrors.map((graphQLError) => graphQLError.message).join(' ') : error.message;
}
