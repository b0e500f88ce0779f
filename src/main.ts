import 'reflect-metadata';
import { loadEnvFile } from './config/env-file';
import { AppConfig, ConfigurationError } from './config/configuration';
import { APP_CONFIG } from './config/config.module';
import { AppModule } from './app.module';
import { createHttpApp } from './common/http/http-app';

async function bootstrap(): Promise<void> {
  loadEnvFile();
  const app = await createHttpApp(AppModule);
  const config = app.get<AppConfig>(APP_CONFIG);
  await app.listen(config.PORT, config.HOST);
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof ConfigurationError ? error.message : error);
  process.exit(1);
});
