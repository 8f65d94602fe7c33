/**
 * Default deny, checked over the source (issue 5, point 1): every route of every controller in
 * the apps and libraries says who may call it (`@Public()` or `@Allow(...)`, on the handler or its
 * controller). The auth guard refuses a route that says nothing at run time; this test makes a
 * forgotten declaration fail CI instead of closing a route in production. Controllers are found by
 * reading every source file for `@Controller(`, so a new one is checked without being listed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Controller, Get, Post, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { Allow, Public, ROUTE_ACCESS, type RouteAccess } from '@app/auth';
import { ROOT } from './support/processes';

interface Route {
  readonly where: string;
  readonly method: string;
  readonly path: string;
  readonly access: RouteAccess | undefined;
}

type Constructor = abstract new (...args: never[]) => unknown;

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'testing' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('spec.ts') ? [path] : [];
  });
}

/** Every class with controller metadata exported by a source file that declares one. */
async function controllers(): Promise<Array<{ readonly file: string; readonly type: Constructor }>> {
  const files = ['apps', 'libs'].flatMap((folder) => sourceFiles(join(ROOT, folder))).filter((file) => readFileSync(file, 'utf8').includes('@Controller('));
  const modules = await Promise.all(files.map(async (file) => ({ file, exports: (await import(file)) as Record<string, unknown> })));
  return modules.flatMap(({ file, exports }) =>
    Object.values(exports)
      .filter((value): value is Constructor => typeof value === 'function' && Reflect.getMetadata(PATH_METADATA, value) !== undefined)
      .map((type) => ({ file: relative(ROOT, file), type })),
  );
}

function routesOf(type: Constructor, where: string): Route[] {
  const prefix = String(Reflect.getMetadata(PATH_METADATA, type) ?? '');
  const prototype = type.prototype as Record<string, unknown>;
  return Object.getOwnPropertyNames(prototype).flatMap((name) => {
    const handler = prototype[name];
    if (typeof handler !== 'function' || name === 'constructor') return [];
    const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
    if (method === undefined) return [];
    const access = (Reflect.getMetadata(ROUTE_ACCESS, handler) ?? Reflect.getMetadata(ROUTE_ACCESS, type)) as RouteAccess | undefined;
    const path = `/${[prefix, String(Reflect.getMetadata(PATH_METADATA, handler) ?? '')].filter((part) => part !== '' && part !== '/').join('/')}`;
    return [{ where: `${where} ${type.name}.${name}`, method: RequestMethod[method], path, access }];
  });
}

describe('default deny', () => {
  it('finds every route of every controller declaring who may call it', async () => {
    const found = await controllers();
    const routes = found.flatMap(({ file, type }) => routesOf(type, file));
    const undeclared = routes.filter((route) => route.access === undefined);
    const publicRoutes = routes.filter((route) => route.access?.kind === 'public').map((route) => `${route.method} ${route.path}`);
    console.log(
      `default deny: ${found.length} controllers, ${routes.length} routes, ${routes.length - undeclared.length} declared (${publicRoutes.length} public: ${publicRoutes.join(', ')}), ${undeclared.length} undeclared`,
    );
    expect(undeclared.map((route) => `${route.method} ${route.path} (${route.where})`)).toEqual([]);
    // What is open to anyone is only what API.md opens: health (and the docs, served outside Nest's routes).
    expect(publicRoutes.sort()).toEqual(['GET /health/live', 'GET /health/ready']);
    // Sanity: the search found the apps' controllers, not nothing.
    expect(routes.length).toBeGreaterThan(30);
  });

  it('flags a route that declares nothing, and takes a controller-wide declaration for its routes', () => {
    @Controller('forgotten')
    class Forgotten {
      @Get()
      read(): void {}
    }
    @Allow('board')
    @Controller('declared')
    class Declared {
      @Post(':id')
      write(): void {}
      @Public()
      @Get()
      open(): void {}
    }
    expect(routesOf(Forgotten, 'here')).toEqual([{ where: 'here Forgotten.read', method: 'GET', path: '/forgotten', access: undefined }]);
    expect(routesOf(Declared, 'here').map((route) => [route.method, route.path, route.access?.kind])).toEqual([
      ['POST', '/declared/:id', 'roles'],
      ['GET', '/declared', 'public'],
    ]);
  });
});
