import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ValidationFailedError } from './domain-error';
import { Problem, PROBLEM_CONTENT_TYPE, problem } from './problem';

/** Fastify's own refusals (body parsing, limits, media types), by Fastify error code. */
const FASTIFY_ERRORS: Record<string, { status: number; code: string; detail?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large', detail: 'The request body is too large.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    detail: 'Send the body as application/json.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'malformed_json',
    detail: 'The body is empty but the content type says JSON.',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'malformed_json', detail: 'The body is not valid JSON.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'invalid_content_length',
    detail: 'Content-Length does not match the body.',
  },
};

const HTTP_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited',
  503: 'service_unavailable',
};

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

/**
 * Turns anything thrown into RFC 9457 problem+json. A 500 answers with an error id that is
 * logged together with the stack; the stack never reaches the client.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const body = this.toProblem(exception, request);
    body.instance = request.url.split('?')[0];
    body.request_id = String(request.id);
    if (typeof body.retry_after === 'number') void reply.header('retry-after', String(body.retry_after));
    void reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
  }

  toProblem(exception: unknown, request: FastifyRequest): Problem {
    if (exception instanceof ValidationFailedError) {
      return problem(400, exception.code, exception.message, { errors: exception.errors });
    }
    if (exception instanceof DomainError) {
      return problem(exception.status, exception.code, exception.message, exception.extra);
    }
    if (exception instanceof HttpException) return this.fromHttpException(exception, request);

    const fastifyError = exception as FastifyLikeError;
    const known = fastifyError?.code ? FASTIFY_ERRORS[fastifyError.code] : undefined;
    if (known) return problem(known.status, known.code, known.detail ?? String(fastifyError.message));
    if ((exception as Error)?.name === 'SyntaxError' && fastifyError.statusCode === 400) {
      return problem(400, 'malformed_json', 'The body is not valid JSON.');
    }
    const status = fastifyError?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return problem(status, HTTP_CODES[status] ?? 'bad_request', String(fastifyError.message));
    }

    const errorId = randomUUID();
    this.logger.error(
      { err: exception, error_id: errorId, request_id: request.id },
      `Unhandled error ${errorId} on ${request.method} ${request.url.split('?')[0]}`,
    );
    return problem(500, 'internal_error', 'Something went wrong on our side. Quote the error id when reporting it.', {
      error_id: errorId,
    });
  }

  private fromHttpException(exception: HttpException, request: FastifyRequest): Problem {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (status === HttpStatus.NOT_FOUND && typeof response === 'object' && /^Cannot /.test(exception.message)) {
      return problem(404, 'route_not_found', `No route ${request.method} ${request.url.split('?')[0]}.`);
    }
    // Nest hands Fastify's body-parser failures over as plain HttpExceptions carrying the message.
    if (status === HttpStatus.BAD_REQUEST && typeof response === 'string' && /JSON/i.test(response)) {
      return problem(400, 'malformed_json', 'The body is not valid JSON.');
    }
    const message =
      typeof response === 'object' && response !== null && 'message' in response
        ? [(response as { message: unknown }).message].flat().join('; ')
        : exception.message;
    return problem(status, HTTP_CODES[status] ?? (status >= 500 ? 'server_error' : 'bad_request'), message);
  }
}
