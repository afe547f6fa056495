import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiError } from '../errors/api-error';
import { dashboardDir, loadAssets } from './static-assets';

/** The Jobs Management dashboard: one page (hash routes inside it) and its bundled assets. */
@Controller()
export class DashboardController {
  private readonly dir = dashboardDir();
  private readonly assets = loadAssets(this.dir);

  @Get()
  root(@Res() res: Response): void {
    this.send(res, 'index.html');
  }

  @Get('dashboard')
  page(@Res() res: Response): void {
    this.send(res, 'index.html');
  }

  @Get('dashboard/assets/:file')
  asset(@Param('file') file: string, @Res() res: Response): void {
    this.send(res, file);
  }

  private send(res: Response, name: string): void {
    const asset = this.assets.get(name);
    if (!asset) {
      throw name === 'index.html'
        ? new ApiError(503, `the dashboard is not built: no index.html in ${this.dir} (run "npx nx run dashboard:build")`)
        : ApiError.notFound(`no dashboard asset "${name}"`);
    }
    res
      .status(200)
      .type(asset.contentType)
      // The page is tiny and changes with every build; assets are re-checked rather than cached blindly.
      .setHeader('cache-control', 'no-cache')
      .setHeader('x-content-type-options', 'nosniff')
      // Everything the page needs comes from this origin: no CDN, no inline script.
      .setHeader('content-security-policy', "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
      .send(asset.body);
  }
}
