import { ApolloServerErrorCode } from '@apollo/server/errors';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { ErrorCode } from '../../common/errors';
import { requestContext } from '../requestContext';
import type { GatewayFeature } from './types';

/**
 * The JSON body parser with the caller's limit: the full one for a verified
 * token, the anonymous one otherwise (a bad token is refused later anyway, so
 * little of it is read). A body announced over the limit is refused from its
 * Content-Length, before a byte of it is read.
 */
function bodyByCaller(fullLimit: number, anonymousLimit: number): RequestHandler {
  const full = express.json({ limit: fullLimit });
  const anonymous = express.json({ limit: anonymousLimit });
  return (req, res, next) => (requestContext(req).identity.authenticated ? full : anonymous)(req, res, next);
}

/**
 * The request body: JSON, at most MAX_BODY_BYTES with a token and
 * MAX_ANONYMOUS_BODY_BYTES (never more) without. A body too large or not JSON
 * is answered in GraphQL's error shape.
 */
export function requestBody(maxBodyBytes: number, maxAnonymousBodyBytes: number): GatewayFeature {
  return {
    name: 'request body',
    http: [bodyByCaller(maxBodyBytes, Math.min(maxAnonymousBodyBytes, maxBodyBytes))],
    httpError: (err: Error & { status?: number; type?: string; limit?: number }, _req: Request, res: Response, next: NextFunction) => {
      if (res.headersSent) return next(err);
      const tooLarge = err.type === 'entity.too.large';
      const limit = err.limit ?? maxBodyBytes;
      res.status(tooLarge ? 413 : (err.status ?? 400)).json({
        errors: [
          {
            message: tooLarge
              ? `The request body exceeds ${limit} bytes (MAX_BODY_BYTES with a token, MAX_ANONYMOUS_BODY_BYTES without).`
              : 'The request body is not valid JSON.',
            extensions: { code: tooLarge ? ErrorCode.REQUEST_TOO_LARGE : ApolloServerErrorCode.BAD_REQUEST, ...(tooLarge ? { limit } : {}) },
          },
        ],
      });
    },
  };
}
