import { Body, Controller, Get, Post } from '@nestjs/common';
import { IsInt, IsString, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { Customer, Public } from '../../src/common/auth/access.decorators';

class ProbeItem {
  @IsString()
  sku!: string;

  @IsInt()
  @Min(1)
  quantity!: number;
}

export class ProbeBody {
  @IsString()
  name!: string;

  @IsInt()
  @Min(0)
  amount!: number;

  @ValidateNested({ each: true })
  @Type(() => ProbeItem)
  items: ProbeItem[] = [];
}

/** Test-only routes that exercise the HTTP plumbing: validation, errors, slow requests, access. */
@Controller('__probe')
export class ProbeController {
  @Post('echo')
  @Public()
  echo(@Body() body: ProbeBody): ProbeBody {
    return body;
  }

  @Get('boom')
  @Public()
  boom(): never {
    throw new Error('database password is hunter2 at /srv/secret.ts:42');
  }

  @Get('slow')
  @Public()
  async slow(): Promise<{ done: true }> {
    await new Promise((resolve) => setTimeout(resolve, 400));
    return { done: true };
  }

  @Get('customers-only')
  @Customer()
  customersOnly(): string {
    return 'never without a credential';
  }

  @Get('undeclared')
  undeclared(): string {
    return 'must never be served';
  }
}
