/**
 * The routes of every controller in apps/ and libs/, found from the source: every file that
 * declares `@Controller(` is loaded, and each route handler of each controller class it exports
 * is read with what it declares (method, path, access). Test code only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ROUTE_ACCESS, type RouteAccess } from '@app/auth';
import { ROOT } from './processes';

export interface Route {
  readonly where: string;
  readonly method: string;
  readonly path: string;
  readonly access: RouteAccess | undefined;
}

export type Constructor = abstract new (...args: never[]) => unknown;

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'testing' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('spec.ts') ? [path] : [];
  });
}

/** Every class with controller metadata exported by a source file that declares one. */
export async function controllers(): Promise<Array<{ readonly file: string; readonly type: Constructor }>> {
  const files = ['apps', 'libs'].flatMap((folder) => sourceFiles(join(ROOT, folder))).filter((file) => readFileSync(file, 'utf8').includes('@Controller('));
  const modules = await Promise.all(files.map(async (file) => ({ file, exports: (await import(file)) as Record<string, unknown> })));
  return modules.flatMap(({ file, exports }) =>
    Object.values(exports)
      .filter((value): value is Constructor => typeof value === 'function' && Reflect.getMetadata(PATH_METADATA, value) !== undefined)
      .map((type) => ({ file: relative(ROOT, file), type })),
  );
}

export function routesOf(type: Constructor, where: string): Route[] {
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


/** Every route of every controller, as `METHOD /path`, with its declaration. */
export async function allRoutes(): Promise<Route[]> {
  return (await controllers()).flatMap(({ file, type }) => routesOf(type, file));
}
