import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { ApiError } from '../errors/api-error';
import type { Request } from 'express';
import { principalOfRequest } from './request-principal';

/**
 * Per tenant and per principal (`<tenant>:<actor>`): one noisy key cannot starve the others, nor one
 * tenant's keys another tenant. Runs after AuthGuard; unauthenticated requests (open routes,
 * AUTH=off) are not limited here. Answers 429 with Retry-After (seconds).
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http' || principalOfRequest(context.switchToHttp().getRequest<Request>()) === undefined;
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as Request;
    const tenant = typeof request.params?.tenant === 'string' ? request.params.tenant : '-';
    return `${tenant}:${principalOfRequest(request)?.actor ?? 'anonymous'}`;
  }

  /** The throttler hashes this key (SHA-256) on every request; it only ever lives in this process's memory. */
  protected override generateKey(context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${context.getClass().name}-${context.getHandler().name}-${throttlerName}-${tracker}`;
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new ApiError(429, `rate limit of ${detail.limit} requests per minute reached for ${detail.tracker}; retry after ${detail.timeToBlockExpire} s`);
  }
}
