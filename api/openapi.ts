import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';

export function createOpenApiRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key of one tenant: `Authorization: Bearer <key>`. Each route names the scope it needs.',
  });
  return registry;
}

export function openApiDocument(registry: OpenAPIRegistry, serverUrl: string): object {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Herald',
      version: '0.1.0',
      description: 'Unified notification service: one REST API for email, SMS, chat, push, in-app and webhook notifications.',
    },
    servers: [{ url: serverUrl }],
  });
}
