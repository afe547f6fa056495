import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import { HttpsListener } from './https-listener';

@Controller('admin')
export class AdminController {
  constructor(private readonly https: HttpsListener) {}

  /** Same as SIGHUP, with the outcome in the answer: 200 with the certificate now served, or 409 why not. */
  @Post('\\~reload-certificates')
  @HttpCode(200)
  reloadCertificates() {
    try {
      return { reloaded: true, ...this.https.reload() };
    } catch (error) {
      throw new ApiError(409, (error as Error).message);
    }
  }
}
