import { ApiNotFoundResponse, ApiParam } from '@nestjs/swagger';

/** Documents a uuid path parameter (`:id` unless named). */
export const UuidParam = (name = 'id') => ApiParam({ name, format: 'uuid' });

/** Documents the 404 of a route that finds one `thing` by id: another tenant's is invisible, so also a 404. */
export const NotFoundIn = (thing: string) =>
  ApiNotFoundResponse({ description: `No ${thing} with this id in the tenant.` });
