import corsHandler from 'cors';
import type { GatewayFeature } from './types';

/** CORS_ORIGINS: the origins a browser may call /graphql from (`*` any); no credentials, preflights cached 10 minutes. */
export function cors(origins: string[]): GatewayFeature {
  return {
    name: 'cors',
    http: [corsHandler({ origin: origins.includes('*') ? true : origins, credentials: false, maxAge: 600 })],
  };
}
