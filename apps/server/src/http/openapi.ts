import { ErrorBody, errorCodes } from '@rs/protocol';
import { z } from 'zod';

interface Documented {
  method: string;
  url: string;
  summary: string;
  tag: string;
  auth: string;
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  response: z.ZodType | null;
  rawBody?: boolean;
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** Collects every REST route as it is defined, so the document cannot drift from the code. */
export class OpenApiRegistry {
  private readonly routes: Documented[] = [];

  add(route: Documented): void {
    this.routes.push(route);
  }

  paths(): string[] {
    return this.routes.map((r) => `${r.method} ${r.url}`);
  }

  document(info: { title: string; version: string; serverUrl: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.routes) {
      const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
      const parameters: unknown[] = [];
      for (const [where, schema] of [['path', r.params], ['query', r.query]] as const) {
        if (!schema) continue;
        const js = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
        for (const [name, s] of Object.entries(js.properties ?? {})) {
          parameters.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: s });
        }
      }
      const op: Record<string, unknown> = {
        summary: r.summary,
        tags: [r.tag],
        parameters,
        security: r.auth === 'none' ? [] : [{ cookieAuth: [] }],
        'x-required-role': r.auth,
        responses: {
          '200': r.response
            ? { description: 'OK', content: { 'application/json': { schema: jsonSchema(r.response, 'output') } } }
            : { description: 'OK (see summary for the content type)' },
          default: {
            description: `Error: one of ${errorCodes.join(', ')} (docs/errors.md)`,
            content: { 'application/json': { schema: jsonSchema(ErrorBody, 'output') } },
          },
        },
      };
      if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } };
      if (r.rawBody) op.requestBody = { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };
      (paths[path] ??= {})[r.method.toLowerCase()] = op;
    }
    return {
      openapi: '3.1.0',
      info: { title: info.title, version: info.version },
      servers: [{ url: info.serverUrl }],
      components: {
        securitySchemes: {
          cookieAuth: { type: 'apiKey', in: 'cookie', name: 'rs_session', description: 'Writes also need the header x-csrf-token.' },
        },
      },
      paths,
    };
  }
}
