import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { REQUEST_ID_HEADER } from '../../common/logging';
import { requestContext } from '../requestContext';
import type { GatewayFeature } from './types';

// Request ids from clients are echoed only when they look like ids, so a log
// line can never be forged or bloated through the header.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export function requestIdOf(req: Request): string {
  const given = req.header(REQUEST_ID_HEADER);
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Gives every request an id (the client's x-request-id or a new one), echoed in the response and kept in its context. */
export function requestIds(): GatewayFeature {
  return {
    name: 'request ids',
    routes: (app) =>
      app.use((req, res, next) => {
        const id = requestIdOf(req);
        requestContext(req).requestId = id;
        res.setHeader(REQUEST_ID_HEADER, id);
        next();
      }),
  };
}
